package ozconfig

import (
	"errors"
	"testing"
)

// Whatever the bytes, the parsers return a value or ValidationErrors, and
// never panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{pubnetJSON, vaultMonitorJSON, vaultTriggersJSON, `{}`, `[]`, `null`, `{"a":`,
		`{"network_type": "EVM", "rpc_urls": [{"url": {"type": "plain"}}], "max_past_blocks": -1}`,
		`{"match_conditions": {"functions": [{"signature": "f(", "expression": "a == ((("}]}}`,
		`{"t": {"trigger_type": "webhook", "config": {"retry_policy": {"initial_backoff": {"secs": 1e99, "nanos": 1}}}}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(what string, got bool, err error) {
			var es ValidationErrors
			switch {
			case err == nil && !got:
				t.Fatalf("%s: no value and no error", what)
			case err != nil && !errors.As(err, &es):
				t.Fatalf("%s: error is %T, not ValidationErrors", what, err)
			case err != nil && len(es) == 0:
				t.Fatalf("%s: empty ValidationErrors", what)
			}
		}
		n, err := ParseNetwork("f", data)
		check("network", n != nil, err)
		m, err := ParseMonitor("f", data)
		check("monitor", m != nil, err)
		tr, err := ParseTrigger("f", data)
		check("trigger", tr != nil, err)
		ts, err := ParseTriggers("f", data)
		// An empty trigger file is valid and holds no triggers.
		check("triggers", err == nil || ts == nil, err)
	})
}
