package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

// The Midnight golden cases MID1–MID12 (docs/compatibility.md#midnight):
// blocks served by ozmontest.MidnightSim and fetched by chain/midnight's
// Source, as the pipeline fetches them, then evaluated.

const (
	midBulletin = "020200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"
	midTx1      = "1000000000000000000000000000000000000000000000000000000000000000"
	midTx2      = "2000000000000000000000000000000000000000000000000000000000000000"
	midNetwork  = "midnight_testnet"
)

// midZeroAddr is MID2's address: 0202 then 34 zero bytes.
var midZeroAddr = "0202" + strings.Repeat("00", 34)

func midnightMonitorJSON(addr string, functions, transactions string) []byte {
	return fmt.Appendf(nil, `{"name": "mid", "networks": [%q], "paused": false, "addresses": [{"address": %q}],
	  "match_conditions": {"functions": [%s], "events": [], "transactions": [%s]}, "trigger_conditions": [], "triggers": []}`,
		midNetwork, addr, functions, transactions)
}

func compileMidnight(t *testing.T, raw []byte) *monitor.CompiledMonitor {
	t.Helper()
	m, err := ozconfig.ParseMonitor("monitor.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := monitor.Compile("tenant-a", m, nil, monitor.WithChain(chain.Midnight))
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

// fetchMidnight fetches block n from the simulator through the Source.
func fetchMidnight(t *testing.T, sim *ozmontest.MidnightSim, n uint64) *chain.Block {
	t.Helper()
	c, err := midnight.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	b, err := (&midnight.Source{Client: c, Network: midNetwork}).FetchBlock(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func evalMidnight(t *testing.T, b *chain.Block, cms ...*monitor.CompiledMonitor) []*monitor.Match {
	t.Helper()
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, cms)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// matchedJSON is the match's matched_on and matched_on_args as OZ writes
// them.
func matchedJSON(t *testing.T, m *monitor.Match) string {
	t.Helper()
	raw, err := m.MarshalOZJSON()
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Midnight struct {
			MatchedOn     json.RawMessage `json:"matched_on"`
			MatchedOnArgs json.RawMessage `json:"matched_on_args"`
		} `json:"Midnight"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	return string(body.Midnight.MatchedOn) + " " + string(body.Midnight.MatchedOnArgs)
}

func call(addr, name string) ozmontest.MidnightSimCall {
	return ozmontest.MidnightSimCall{Address: addr, Name: name}
}

func TestMidnightGoldenCases(t *testing.T) {
	t.Parallel()
	type want struct {
		txs     []string // matched transaction hashes, in order
		matched []string // matched_on + matched_on_args per match
	}
	cases := []struct {
		id        string
		monitor   []byte
		txs       []ozmontest.MidnightSimTx
		want      want
		variables map[string]string // of the first match
	}{
		{"MID1", midnightMonitorJSON(midBulletin, `{"signature": "main()"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}}},
			want{[]string{midTx1}, []string{`{"functions":[{"signature":"main","expression":null}],"events":[],"transactions":[]} {"functions":[{"signature":"main","args":null,"hex_signature":"main"}],"events":null}`}},
			map[string]string{"functions.0.signature": "main", "transaction.hash": midTx1, "monitor.name": "mid"}},
		{"MID2", midnightMonitorJSON(midZeroAddr, `{"signature": "main(amount)", "expression": "amount >= 1000"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "main(amount)")}}},
			want{[]string{midTx1}, []string{`{"functions":[{"signature":"main","expression":"amount >= 1000"}],"events":[],"transactions":[]} {"functions":[{"signature":"main","args":null,"hex_signature":"main(amount)"}],"events":null}`}},
			map[string]string{"functions.0.signature": "main"}},
		{"MID3", midnightMonitorJSON(midZeroAddr, `{"signature": "main(amount)", "expression": "amount >= 1000"}, {"signature": "secondary(note)"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "main(amount)")}}, {Hash: midTx2, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "secondary(note)")}}},
			want{[]string{midTx1, midTx2}, []string{
				`{"functions":[{"signature":"main","expression":"amount >= 1000"}],"events":[],"transactions":[]} {"functions":[{"signature":"main","args":null,"hex_signature":"main(amount)"}],"events":null}`,
				`{"functions":[{"signature":"secondary","expression":null}],"events":[],"transactions":[]} {"functions":[{"signature":"secondary","args":null,"hex_signature":"secondary(note)"}],"events":null}`}}, nil},
		{"MID5", midnightMonitorJSON(midZeroAddr, `{"signature": "increment()"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "increment")}}},
			want{[]string{midTx1}, []string{`{"functions":[{"signature":"increment","expression":null}],"events":[],"transactions":[]} {"functions":[{"signature":"increment","args":null,"hex_signature":"increment"}],"events":null}`}},
			map[string]string{"functions.0.signature": "increment", "functions": "\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `increment`\n\n*Params:*\n"}},
		{"MID6", midnightMonitorJSON(midZeroAddr, `{"signature": "riskyFunction(signature, amount)"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "riskyFunction(signature, amount)")}}},
			want{[]string{midTx1}, []string{`{"functions":[{"signature":"riskyFunction","expression":null}],"events":[],"transactions":[]} {"functions":[{"signature":"riskyFunction","args":null,"hex_signature":"riskyFunction(signature, amount)"}],"events":null}`}},
			map[string]string{"functions.0.signature": "riskyFunction"}},
		{"MID7", midnightMonitorJSON(midZeroAddr, "", `{"status": "Success"}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Applied: true}},
			want{[]string{midTx1}, []string{`{"functions":[],"events":[],"transactions":[{"status":"Success","expression":null}]} {"functions":null,"events":null}`}}, nil},
		{"MID8", midnightMonitorJSON(midZeroAddr, "", `{"status": "Failure"}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1}},
			want{[]string{midTx1}, []string{`{"functions":[],"events":[],"transactions":[{"status":"Failure","expression":null}]} {"functions":null,"events":null}`}}, nil},
		{"MID9", midnightMonitorJSON(midZeroAddr, "", `{"status": "Any", "expression": "value > 1"}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Applied: true}, {Hash: midTx2}},
			want{[]string{midTx1, midTx2}, []string{
				`{"functions":[],"events":[],"transactions":[{"status":"Success","expression":null}]} {"functions":null,"events":null}`,
				`{"functions":[],"events":[],"transactions":[{"status":"Failure","expression":null}]} {"functions":null,"events":null}`}}, nil},
		// MID12 through matching: signatures compare without whitespace,
		// case and argument lists; addresses without 0x, whitespace,
		// case and the 35-byte network prefix.
		{"MID12-signature", midnightMonitorJSON("0x BF19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919", `{"signature": "Transfer( address     , uint256 )"}, {"signature": "approve()"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "transfer"), call(midBulletin, "transfer(address,uint256)")}}},
			want{[]string{midTx1}, []string{`{"functions":[{"signature":"Transfer","expression":null}],"events":[],"transactions":[]} {"functions":[{"signature":"Transfer","args":null,"hex_signature":"transfer"}],"events":null}`}}, nil},
		// The address gate: a call to another contract does not match.
		{"gate", midnightMonitorJSON(midZeroAddr, `{"signature": "main()"}`, ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}}},
			want{nil, nil}, nil},
		// Functions and transactions: both must match.
		{"functions-and-status", midnightMonitorJSON(midBulletin, `{"signature": "main()"}`, `{"status": "Success"}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}}, {Hash: midTx2, Applied: true, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}}},
			want{[]string{midTx2}, []string{`{"functions":[{"signature":"main","expression":null}],"events":[],"transactions":[{"status":"Success","expression":null}]} {"functions":[{"signature":"main","args":null,"hex_signature":"main"}],"events":null}`}}, nil},
		// QM4: a transaction-only monitor sees every transaction, whatever
		// its contract; QM2: an event condition never matches.
		{"QM4", midnightMonitorJSON(midBulletin, "", `{"status": "Failure"}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "other")}}},
			want{[]string{midTx1}, []string{`{"functions":[],"events":[],"transactions":[{"status":"Failure","expression":null}]} {"functions":null,"events":null}`}}, nil},
		{"QM2", []byte(`{"name": "ev", "networks": ["midnight_testnet"], "paused": false, "addresses": [{"address": "` + midBulletin + `"}],
		  "match_conditions": {"functions": [], "events": [{"signature": "main()"}], "transactions": []}, "trigger_conditions": [], "triggers": []}`),
			[]ozmontest.MidnightSimTx{{Hash: midTx1, Applied: true, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}}},
			want{nil, nil}, nil},
		{"no-conditions", midnightMonitorJSON(midBulletin, "", ""),
			[]ozmontest.MidnightSimTx{{Hash: midTx1}, {Hash: midTx2, Applied: true}},
			want{[]string{midTx1, midTx2}, []string{
				`{"functions":[],"events":[],"transactions":[]} {"functions":null,"events":null}`,
				`{"functions":[],"events":[],"transactions":[]} {"functions":null,"events":null}`}}, nil},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			sim := ozmontest.StartMidnightSim(t)
			sim.AddBlock(42, c.txs...)
			b := fetchMidnight(t, sim, 42)
			ms := evalMidnight(t, b, compileMidnight(t, c.monitor))
			if len(ms) != len(c.want.txs) {
				t.Fatalf("%d matches, want %d", len(ms), len(c.want.txs))
			}
			for i, m := range ms {
				if m.Transaction.Hash != c.want.txs[i] {
					t.Errorf("match %d on %s, want %s", i, m.Transaction.Hash, c.want.txs[i])
				}
				if got := matchedJSON(t, m); got != c.want.matched[i] {
					t.Errorf("match %d:\n got %s\nwant %s", i, got, c.want.matched[i])
				}
			}
			if len(ms) > 0 {
				vars := ms[0].Variables()
				for k, v := range c.variables {
					if vars[k] != v {
						t.Errorf("variable %s = %q, want %q", k, vars[k], v)
					}
				}
				for k := range vars {
					if strings.Contains(k, ".args.") || strings.HasPrefix(k, "events.") || k == "transaction.signature" {
						t.Errorf("unexpected variable %s", k)
					}
				}
			}
		})
	}
}

// MID4: a block of another chain is refused.
func TestMidnightGoldenMID4(t *testing.T) {
	t.Parallel()
	cm := compileMidnight(t, midnightMonitorJSON(midBulletin, `{"signature": "main()"}`, ""))
	_, err := monitor.NewEngine().EvaluateBlock(context.Background(), &chain.Block{Chain: chain.EVM, Network: midNetwork, Ledger: 1}, []*monitor.CompiledMonitor{cm})
	if !errors.Is(err, monitor.ErrBlockTypeMismatch) {
		t.Fatalf("err = %v", err)
	}
}

// MID10: two matched events of the same signature keep their own
// arguments as template variables.
func TestMidnightGoldenMID10(t *testing.T) {
	t.Parallel()
	m := &monitor.Match{MonitorName: "m", Transaction: &chain.Transaction{Hash: midTx1, Midnight: &chain.MidnightTransaction{TxHash: midTx1}},
		MatchedOn: monitor.MatchedOn{Events: []monitor.EventMatch{{Signature: "Transfer(address,address,uint256)"}, {Signature: "Transfer(address,address,uint256)"}}},
		MatchedOnArgs: monitor.MatchedOnArgs{Events: []monitor.ArgsEntry{
			{Signature: "Transfer(address,address,uint256)", Args: []monitor.Arg{{Name: "from", Value: "0xa"}, {Name: "value", Value: "100"}}},
			{Signature: "Transfer(address,address,uint256)", Args: []monitor.Arg{{Name: "from", Value: "0xb"}, {Name: "value", Value: "200"}}},
		}}}
	v := m.Variables()
	for k, want := range map[string]string{"events.0.args.from": "0xa", "events.0.args.value": "100", "events.1.args.from": "0xb", "events.1.args.value": "200", "transaction.hash": midTx1} {
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
}

// MID11: OZ's fixture monitor over blocks.json's block 11243, served by
// the simulator: exactly one match, take_down, and the whole MonitorMatch
// as OZ writes it.
func TestMidnightGoldenMID11(t *testing.T) {
	t.Parallel()
	base := []string{"testdata", "ozmonitor", "midnight"}
	data, err := os.ReadFile(testkit.SharedPath(t, append(base, "blocks.json")...))
	if err != nil {
		t.Fatal(err)
	}
	sim := ozmontest.StartMidnightSim(t)
	if err := sim.LoadFixtures(data, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(testkit.SharedPath(t, append(base, "monitors", "monitor.json")...))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ozconfig.ParseMonitor("monitor.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	// No WithChain: the tenant registry's path, where the chain is read
	// from the monitor (its midnight configuration).
	cm, err := monitor.Compile("tenant-a", m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{0x130987, 0x13097f} {
		if ms := evalMidnight(t, fetchMidnight(t, sim, n), cm); len(ms) != 0 {
			t.Errorf("block %d: %d matches", n, len(ms))
		}
	}
	ms := evalMidnight(t, fetchMidnight(t, sim, 11243), cm)
	if len(ms) != 1 {
		t.Fatalf("%d matches", len(ms))
	}
	got, err := ms[0].MarshalOZJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Midnight":{"monitor":{"name":"Monitor for Bulletin Board Take down","networks":["midnight_testnet"],"paused":false,` +
		`"addresses":[{"address":"020200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"}],` +
		`"match_conditions":{"functions":[{"signature":"take_down()"}],"events":[],"transactions":[]},"trigger_conditions":[],"triggers":["example_trigger_slack"],` +
		`"chain_configurations":[{"midnight":{"viewing_keys":[{"type":"Plain","value":"[REDACTED]"}]}}]},` +
		`"transaction":{"tx_hash":"84502ac6e24d003fdc72c4eaaf8f2ba549e45a1a6fb16fac1204410f67749661",` +
		`"operations":[{"Call":{"address":"020200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919","entry_point":"74616b655f646f776e"}},"GuaranteedCoins"],` +
		`"identifiers":["00000000bfa38e2333eed721b0252a710e41c3a0e224638cb325c192d8b4de69bc809e4a","00000000316b1d238a4ffefd6f1485db2c16554ca325da6e3f0f66bf2913306d8d9f6a04","0000000030cd250bd804c7348ede409635a1f73ba589f2650cbd41b2d2102acb8250dd3a"]},` +
		`"network_slug":"midnight_testnet",` +
		`"matched_on":{"functions":[{"signature":"take_down","expression":null}],"events":[],"transactions":[]},` +
		`"matched_on_args":{"functions":[{"signature":"take_down","args":null,"hex_signature":"take_down"}],"events":null}}}`
	if string(got) != want {
		t.Errorf("MonitorMatch\n got %s\nwant %s", got, want)
	}
	vars := ms[0].Variables()
	body := strings.NewReplacer("${functions.0.signature}", vars["functions.0.signature"], "${transaction.hash}", vars["transaction.hash"]).
		Replace("A call to ${functions.0.signature} was made to the bulletin board | ${transaction.hash}")
	if body != "A call to take_down was made to the bulletin board | 84502ac6e24d003fdc72c4eaaf8f2ba549e45a1a6fb16fac1204410f67749661" {
		t.Errorf("slack body: %s", body)
	}
}

// The index offers a function monitor only for blocks calling its
// contract (any spelling of the address), a transaction-only one for
// every block (QM4).
func TestMidnightIndex(t *testing.T) {
	t.Parallel()
	fn := compileMidnight(t, midnightMonitorJSON("0x"+strings.ToUpper(midBulletin), `{"signature": "main()"}`, ""))
	txOnly := compileMidnight(t, midnightMonitorJSON(midZeroAddr, "", `{"status": "Any"}`))
	ix := monitor.NewIndex(midNetwork)
	if err := ix.SetTenant("tenant-a", []*monitor.CompiledMonitor{fn, txOnly}); err != nil {
		t.Fatal(err)
	}
	sim := ozmontest.StartMidnightSim(t)
	sim.AddBlock(1, ozmontest.MidnightSimTx{Hash: midTx1, Calls: []ozmontest.MidnightSimCall{call(midBulletin, "main")}})
	sim.AddBlock(2, ozmontest.MidnightSimTx{Hash: midTx2, Calls: []ozmontest.MidnightSimCall{call(midZeroAddr, "main")}})
	if c := ix.Candidates(fetchMidnight(t, sim, 1)); len(c) != 1 || len(c[0].Monitors) != 2 {
		t.Errorf("block 1 candidates: %+v", c)
	}
	if c := ix.Candidates(fetchMidnight(t, sim, 2)); len(c) != 1 || len(c[0].Monitors) != 1 || c[0].Monitors[0] != txOnly {
		t.Errorf("block 2 candidates: %+v", c)
	}
}
