package ozconfig

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const midnightMonitorJSON = `{"name": "Bulletin", "paused": false, "networks": ["midnight_testnet"],
  "addresses": [{"address": "020200048fe17c5b2ae77e7154ff983dc37f18736a61aaef774c7a997935e84abe8361"%s}],
  "chain_configurations": [{"midnight": {"viewing_keys": [{"type": "plain", "value": "abcd"}, {"type": "environment", "value": "MIDNIGHT_VIEWING_KEY"}]}}],
  "match_conditions": {"functions": [{"signature": "%s", "expression": %s}], "events": [%s], "transactions": [%s]},
  "trigger_conditions": [], "triggers": []}`

func midnightTestConfig(t *testing.T, spec, sig, fexpr, events, txs string) (*Config, *Monitor, error) {
	t.Helper()
	n, err := ParseNetwork("midnight_testnet.json", readFile(t, "testdata", "ozmonitor", "midnight", "examples", "networks", "midnight_testnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(fmt.Sprintf(midnightMonitorJSON, spec, sig, fexpr, events, txs))
	m, err := ParseMonitor("bulletin.json", data)
	if err != nil {
		return nil, nil, err
	}
	return &Config{Networks: map[string]*Network{n.Slug: n}, Monitors: map[string]*Monitor{m.Name: m}, Triggers: map[string]*Trigger{}}, m, nil
}

// OZ's Midnight example and the Midnight fixtures validate unchanged; the
// viewing keys parse (plain and environment) and are never resolved (QM7).
func TestValidateMidnightExamplesAndFixtures(t *testing.T) {
	t.Parallel()
	mid := []string{"testdata", "ozmonitor", "midnight"}
	c := &Config{Networks: map[string]*Network{}, Monitors: map[string]*Monitor{}, Triggers: map[string]*Trigger{}}
	n, err := ParseNetwork("midnight_testnet.json", readFile(t, append(mid, "examples", "networks", "midnight_testnet.json")...))
	if err != nil {
		t.Fatal(err)
	}
	c.Networks[n.Slug] = n
	for _, f := range [][]string{{"examples", "monitors", "midnight_testnet_bulletin_post.json"}, {"monitors", "monitor.json"}} {
		m, err := ParseMonitor(f[len(f)-1], readFile(t, append(mid, f...)...))
		if err != nil {
			t.Fatal(err)
		}
		c.Monitors[m.Name] = m
	}
	ts, err := ParseTriggers("slack_notifications.json", readFile(t, "testdata", "ozmonitor", "examples", "config", "triggers", "slack_notifications.json"))
	if err != nil {
		t.Fatal(err)
	}
	fx, err := ParseTriggers("trigger.json", readFile(t, append(mid, "triggers", "trigger.json")...))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range append(ts, fx...) {
		c.Triggers[tr.Key] = tr
	}
	if err := c.Validate("oz"); err != nil {
		t.Fatal(err)
	}
	bp := c.Monitors["Bulletin post"]
	if bp == nil || len(bp.ChainConfigurations) != 1 || bp.ChainConfigurations[0].Midnight == nil {
		t.Fatalf("bulletin monitor: %+v", bp)
	}
	keys := bp.ChainConfigurations[0].Midnight.ViewingKeys
	if len(keys) != 1 || keys[0].Kind() != SecretEnvironment || keys[0].Reference() != "MIDNIGHT_VIEWING_KEY" {
		t.Errorf("viewing keys: %v", keys)
	}
	// A plain viewing key never leaves in a marshalled monitor.
	out, err := json.Marshal(c.Monitors["Monitor for Bulletin Board Take down"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "abcdefghijklmnopqrstuvwxyz1234") || !strings.Contains(string(out), `"viewing_keys":[{"type":"Plain"`) {
		t.Errorf("marshalled monitor: %s", out)
	}
	// The fixture network uses type_ "rpc" and https: refused, as OZ's
	// validation refuses it (spec 17.6).
	if _, err := ParseNetwork("network.json", readFile(t, append(mid, "networks", "network.json")...)); err == nil || !strings.Contains(err.Error(), "ws://") {
		t.Errorf("fixture network: %v", err)
	}
}

// Precise errors: the parenthesis rule applies to Midnight signatures,
// contract_spec must be null or absent, addresses must be Midnight hex,
// viewing keys must be secrets.
func TestValidateMidnightErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		spec, sig, events, want string
	}{
		{"", "post", "", `bulletin.json: match_conditions.functions[0].signature: signature "post" must have the form name(type,…) for Midnight network "midnight_testnet"`},
		{`, "contract_spec": []`, "post()", "", `bulletin.json: addresses[0].contract_spec: must be null or absent on Midnight network "midnight_testnet" (there is no Midnight contract spec), got array`},
		{`, "contract_spec": {"abi": 1}`, "post()", "", `bulletin.json: addresses[0].contract_spec: must be null or absent on Midnight network "midnight_testnet" (there is no Midnight contract spec), got object`},
		{`, "contract_spec": null`, "post()", `{"signature": "Posted"}`, `bulletin.json: match_conditions.events[0].signature: signature "Posted" must have the form name(type,…) for Midnight network "midnight_testnet"`},
	}
	for _, c := range cases {
		cfg, _, err := midnightTestConfig(t, c.spec, c.sig, "null", c.events, "")
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		err = cfg.Validate("")
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
	}
	cfg, m, err := midnightTestConfig(t, "", "post()", "null", "", "")
	if err != nil {
		t.Fatal(err)
	}
	m.Addresses[0].Address = "0x1234"
	want := `bulletin.json: addresses[0].address: "0x1234" is not a Midnight contract address (hex of 32 bytes, or 35 with the network prefix, 0x optional) for network "midnight_testnet"`
	if err := cfg.Validate(""); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
	bad := `{"name": "B", "networks": ["midnight_testnet"], "addresses": [], "chain_configurations": [{"midnight": {"viewing_keys": ["abcd"]}}],
	  "match_conditions": {"functions": [], "events": [], "transactions": []}, "triggers": []}`
	if _, err := ParseMonitor("b.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), `chain_configurations[0].midnight.viewing_keys[0]: expected secret object {"type": …, "value": …}, got string`) {
		t.Errorf("string viewing key: %v", err)
	}
	bad = strings.Replace(bad, `"viewing_keys": ["abcd"]`, `"viewing_keys": [], "spending_keys": []`, 1)
	if _, err := ParseMonitor("b.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), `unknown field "spending_keys"`) {
		t.Errorf("unknown key: %v", err)
	}
}

// QM1 and QM2: expressions and event conditions are accepted with a
// warning saying they have no effect.
func TestMidnightWarnings(t *testing.T) {
	t.Parallel()
	cfg, _, err := midnightTestConfig(t, "", "post(note)", `"note == 'x'"`, `{"signature": "Posted()"}`, `{"status": "Success", "expression": "value > 0"}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate("oz"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings("oz") {
		if strings.Contains(w.Path, "match_conditions") {
			got = append(got, w.Error())
		}
	}
	want := []string{
		`match_conditions.events[0]: event conditions never match on Midnight network "midnight_testnet"`,
		`match_conditions.functions[0].expression: is not evaluated on Midnight network "midnight_testnet"`,
		`match_conditions.transactions[0].expression: is ignored on Midnight network "midnight_testnet"`,
	}
	if len(got) != len(want) {
		t.Fatalf("warnings: %q", got)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("warning %d: %q lacks %q", i, got[i], want[i])
		}
	}
}
