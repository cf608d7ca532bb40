package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/ozmontest"
)

// simNetwork serves synthetic ledgers and registers them as the
// operator's stellar_testnet.
func (e *env) simNetwork(tb testing.TB) (*ozmontest.StellarSim, ozmontest.SyntheticIdentities) {
	tb.Helper()
	return e.simNetworkAhead(tb, 0)
}

// simNetworkAhead is simNetwork with hidden more ledgers held back
// behind the five visible ones, for Advance to reveal as a chain would
// (their contents known beforehand), and opts on the simulator.
func (e *env) simNetworkAhead(tb testing.TB, hidden int, opts ...ozmontest.SimOption) (*ozmontest.StellarSim, ozmontest.SyntheticIdentities) {
	tb.Helper()
	const first, visible = 1000, 5
	cfg := ozmontest.SyntheticConfig{Seed: 1, StartLedger: first, Ledgers: visible + hidden, TxPerLedger: 50, Passphrase: network.TestNetworkPassphrase}
	all := append([]ozmontest.SimOption{ozmontest.SimSynthetic(cfg), ozmontest.SimInitialTip(first + visible - 1)}, opts...)
	sim, err := ozmontest.NewStellarSim(all...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sim.Close() })
	netJSON := `{"network_type":"Stellar","slug":"stellar_testnet","name":"Stellar testnet",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"` + sim.URL() + `"},"weight":100}],
 "network_passphrase":"` + sim.Passphrase() + `","block_time_ms":5000,"confirmation_blocks":1,
 "cron_schedule":"0 */1 * * * *","max_past_blocks":20,"store_blocks":false}`
	if err := e.st.UpsertNetwork(context.Background(), "stellar_testnet", []byte(netJSON)); err != nil {
		tb.Fatalf("register network: %v", err)
	}
	return sim, ozmontest.SyntheticIDs(1, network.TestNetworkPassphrase)
}

// transferMonitor is a monitor of the simulator's token transfers with
// expression as its event filter, indented as a person would write it.
func transferMonitor(token, expression string) string {
	m := map[string]any{"name": "Any transfer", "paused": false, "networks": []string{"stellar_testnet"},
		"addresses": []any{map[string]any{"address": token}},
		"match_conditions": map[string]any{"functions": []any{}, "transactions": []any{},
			"events": []any{map[string]any{"signature": "transfer(Address,Address,String,I128)", "expression": expression}}},
		"trigger_conditions": []any{}, "triggers": []string{}}
	js, _ := json.MarshalIndent(m, "", "  ")
	return string(js)
}

// TestValidateAsYouType: the API's validation of the editor's text, each
// message at the line it concerns; JSON syntax errors at theirs.
func TestValidateAsYouType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ids := e.simNetwork(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	b.get("/console/monitors/new")
	validate := func(text string) (ok bool, probs []lineMessage) {
		t.Helper()
		p := b.post("/console/editor/validate", url.Values{"monitor": {text}})
		if p.status != http.StatusOK {
			t.Fatalf("validate = %d %s", p.status, p.body)
		}
		var out struct {
			OK       bool          `json:"ok"`
			Problems []lineMessage `json:"problems"`
		}
		if err := json.Unmarshal([]byte(p.body), &out); err != nil {
			t.Fatalf("validate answer: %v: %s", err, p.body)
		}
		return out.OK, out.Problems
	}
	if ok, probs := validate(transferMonitor(ids.Token, "3 > 0")); !ok || len(probs) != 0 {
		t.Fatalf("a valid monitor: %v %+v", ok, probs)
	}
	bad := transferMonitor(ids.Token, "amount >>> 5 (")
	want := 0
	for i, l := range strings.Split(bad, "\n") {
		if strings.Contains(l, `"expression"`) {
			want = i + 1
		}
	}
	ok, probs := validate(bad)
	if ok || len(probs) == 0 || probs[0].Line != want || !strings.Contains(probs[0].Message, "expression") {
		t.Fatalf("a bad expression: %v %+v, want line %d", ok, probs, want)
	}
	// Checked against the tenant's stored triggers, as a save would be.
	unknown := strings.Replace(transferMonitor(ids.Token, "3 > 0"), `"triggers": []`, `"triggers": ["no_such_trigger"]`, 1)
	if !strings.Contains(unknown, "no_such_trigger") {
		t.Fatalf("test monitor has no empty triggers list to fill: %s", unknown)
	}
	ok, probs = validate(unknown)
	if ok || len(probs) == 0 || !strings.Contains(probs[0].Message, "no_such_trigger") || !strings.HasPrefix(probs[0].Message, "triggers") {
		t.Fatalf("an unknown trigger: %v %+v", ok, probs)
	}
	ok, probs = validate("{\n  \"name\": \"x\",\n  oops\n}")
	if ok || len(probs) != 1 || probs[0].Line != 3 || !strings.Contains(probs[0].Message, "not valid JSON") {
		t.Fatalf("bad JSON: %+v", probs)
	}
}

// TestDryRun runs the editor's monitor over the simulator's ledgers and
// shows the matches as a table; a bad range says so.
func TestDryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sim, ids := e.simNetwork(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	b.get("/console/monitors/new")
	first := int(sim.Ledgers()[0])
	p := b.post("/console/editor/dryrun", url.Values{"monitor": {transferMonitor(ids.Token, "3 > 0")}, "network": {"stellar_testnet"},
		"from": {strconv.Itoa(first)}, "to": {strconv.Itoa(first + 1)}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "2 ledgers evaluated") || !strings.Contains(p.body, "event transfer(Address,Address,String,I128)") {
		t.Fatalf("dry run = %d: %s", p.status, p.body)
	}
	if !strings.Contains(p.body, "<td>Stellar</td><td>"+strconv.Itoa(first)) {
		t.Fatalf("dry run rows lack the ledger %d", first)
	}
	// The text is kept for the next edit.
	if !strings.Contains(p.body, "transfer(Address,Address,String,I128)&#34;") && !strings.Contains(p.body, "&#34;Any transfer&#34;") {
		t.Fatal("the editor lost the monitor's text")
	}
	p = b.post("/console/editor/dryrun", url.Values{"monitor": {transferMonitor(ids.Token, "3 > 0")}, "network": {"stellar_testnet"},
		"from": {strconv.Itoa(first)}, "to": {strconv.Itoa(first + 500)}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "at most 100") {
		t.Fatalf("too many ledgers = %d", p.status)
	}
	p = b.post("/console/editor/dryrun", url.Values{"monitor": {transferMonitor(ids.Token, "3 > 0")}, "network": {"stellar_testnet"},
		"from": {"x"}, "to": {"1"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "as numbers") {
		t.Fatalf("bad range = %d", p.status)
	}
}
