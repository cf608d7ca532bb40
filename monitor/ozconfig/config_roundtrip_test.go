package ozconfig

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// What json.Marshal writes is OZ JSON again: parsing it gives the same
// object. (Plain secrets are redacted on the way out, so the fixtures here
// use references.)
func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	net, err := ParseNetwork("n.json", []byte(strings.ReplaceAll(pubnetJSON,
		`{ "type": "plain", "value": "https://soroban-rpc.fallback.example.org" }`, `{ "type": "environment", "value": "FALLBACK" }`)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(net)
	if err != nil {
		t.Fatal(err)
	}
	net2, err := ParseNetwork("n.json", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(strip(net), strip(net2)) {
		t.Errorf("network changed:\n%+v\n%+v", net, net2)
	}

	m, err := ParseMonitor("m.json", []byte(vaultMonitorJSON))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	m2, err := ParseMonitor("m.json", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if got, want := mustJSON(t, m2), string(b); got != want {
		t.Errorf("monitor changed:\n%s\n%s", got, want)
	}
	if m2.MatchConditions.Functions[0].Expr == nil {
		t.Error("expression not compiled after round trip")
	}

	ts, err := ParseTriggers("t.json", []byte(strings.ReplaceAll(vaultTriggersJSON, `"type": "plain"`, `"type": "environment"`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		b := mustJSON(t, tr)
		tr2, err := ParseTrigger("t.json", []byte(b))
		if err != nil {
			t.Fatalf("%s: %v\n%s", tr.Key, err, b)
		}
		if got := mustJSON(t, tr2); got != b {
			t.Errorf("%s changed:\n%s\n%s", tr.Key, got, b)
		}
	}
}

func strip(n *Network) string {
	n2 := *n
	n2.source = ""
	b, _ := json.Marshal(n2)
	return string(b)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
