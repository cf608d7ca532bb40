package ozconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

// Every network, monitor and trigger file of the OZ examples and of the
// Stellar and EVM test fixtures parses and passes the per-file checks.
func TestParseSharedConfigs(t *testing.T) {
	t.Parallel()
	base := testkit.SharedPath(t, "testdata", "ozmonitor")
	counts := map[string]int{}
	for _, dir := range []string{"examples/config", "stellar", "evm"} {
		for _, kind := range []string{"networks", "monitors", "triggers"} {
			files, err := filepath.Glob(filepath.Join(base, dir, kind, "*.json"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no %s in %s: %v", kind, dir, err)
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				src := filepath.Join(dir, kind, filepath.Base(f))
				switch kind {
				case "networks":
					_, err = ParseNetwork(src, data)
				case "monitors":
					var m *Monitor
					if m, err = ParseMonitor(src, data); err == nil {
						checkCompiled(t, src, m)
					}
				case "triggers":
					var ts []*Trigger
					if ts, err = ParseTriggers(src, data); err == nil && len(ts) == 0 {
						t.Errorf("%s: no triggers", src)
					}
				}
				if err != nil {
					t.Errorf("%s:\n%v", src, err)
				}
				counts[kind]++
			}
		}
	}
	if counts["networks"] != 5 || counts["monitors"] != 6 || counts["triggers"] != 8 {
		t.Errorf("files seen: %v", counts)
	}
}

// checkCompiled asserts that each expression of m was parsed.
func checkCompiled(t *testing.T, src string, m *Monitor) {
	t.Helper()
	for i, f := range m.MatchConditions.Functions {
		if (f.Expression != "") != (f.Expr != nil) {
			t.Errorf("%s: functions[%d]: expression %q compiled=%v", src, i, f.Expression, f.Expr != nil)
		}
	}
	for i, e := range m.MatchConditions.Events {
		if (e.Expression != "") != (e.Expr != nil) {
			t.Errorf("%s: events[%d]: expression %q compiled=%v", src, i, e.Expression, e.Expr != nil)
		}
	}
	for i, tx := range m.MatchConditions.Transactions {
		if (tx.Expression != "") != (tx.Expr != nil) {
			t.Errorf("%s: transactions[%d]: expression %q compiled=%v", src, i, tx.Expression, tx.Expr != nil)
		}
	}
}

// The Stellar fixture set, keyed as OZ keys it, validates as a whole.
func TestValidateStellarFixtures(t *testing.T) {
	t.Parallel()
	fx := testkit.SharedPath(t, "testdata", "ozmonitor", "stellar")
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(fx, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	n, err := ParseNetwork("network.json", read("networks/network.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMonitor("monitor.json", read("monitors/monitor.json"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ParseTriggers("trigger.json", read("triggers/trigger.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{Networks: map[string]*Network{n.Slug: n}, Monitors: map[string]*Monitor{m.Name: m}, Triggers: map[string]*Trigger{}}
	for _, tr := range ts {
		c.Triggers[tr.Key] = tr
	}
	if err := c.Validate("fixtures"); err != nil {
		t.Fatal(err)
	}
	if len(m.Addresses) != 6 || m.Addresses[0].ContractSpec != nil {
		t.Errorf("addresses: %+v", m.Addresses)
	}
}
