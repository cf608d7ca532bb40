package monitor_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

const refUSDC = "CCW67TSZV3SSS2HXMBQ5JFGCKJNXKZM7UQUWUZPUTHXSTZLEO7SJMI75"

// refStellarMatch compiles a Stellar monitor whose event expression is
// expr and returns its match on a ledger with one large transfer.
func refStellarMatch(t testing.TB, name, expr string) (*monitor.Match, *monitor.CompiledMonitor) {
	t.Helper()
	src, _ := json.Marshal(map[string]any{
		"name": name, "networks": []string{"stellar_mainnet"}, "paused": false,
		"addresses": []map[string]string{{"address": refUSDC}},
		"match_conditions": map[string]any{
			"functions":    []any{},
			"events":       []map[string]string{{"signature": "transfer(Address,Address,String,I128)", "expression": expr}},
			"transactions": []map[string]string{{"status": "Success", "expression": "ledger >= 0"}},
		},
		"trigger_conditions": []any{}, "triggers": []string{"slack"},
	})
	m, err := ozconfig.ParseMonitor("ref.json", src)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := monitor.Compile("tenant-42", m, nil)
	if err != nil {
		t.Fatal(err)
	}
	block := &chain.Block{Chain: chain.Stellar, Network: "stellar_mainnet", Ledger: 63092982, Hash: "5f3a",
		CloseTime: time.Unix(1781828452, 0).UTC(), Transactions: []chain.Transaction{{Hash: "aa01", Index: 1, Success: true,
			Events: []chain.Event{{Contract: refUSDC, Topics: []chain.Value{chain.Symbol("transfer"),
				chain.Address("GAS4V4O2B7DW5T7IQRPEEVCRXMDZESKISR7DVIGKZQYYV3OSQ5SH5LVP"),
				chain.Address("GBTVRQJ4VCXJ5YFYDFT3CTLNBAZBDEV2OE3JSXGYLNBRVIDFBA3PVNV7"),
				chain.String(`USDC "<&>" ` + "\u2028")}, Data: chain.I128(0, 250_0000000)}}}}}
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), block, []*monitor.CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %v, err %v", ms, err)
	}
	return ms[0], cm
}

// TestMatchRefExpandsToMarshalOZJSON: a reference expanded with the
// monitor's configuration is MarshalOZJSON's output byte for byte, and
// it holds nothing that grows with the monitor.
func TestMatchRefExpandsToMarshalOZJSON(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, 60 << 10} {
		m, cm := refStellarMatch(t, `Large "USDC" <transfers>`, testkit.LongExpression("3", size))
		want, err := m.MarshalOZJSON()
		if err != nil {
			t.Fatal(err)
		}
		ref, err := m.MarshalOZRef()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ref.Expand(cm, cm.Name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("expanded\n%.2000s\nwant\n%.2000s", got, want)
		}
		if len(ref.JSON) > 2048 || strings.Contains(ref.JSON, "3 >= 0") {
			t.Fatalf("reference of a %d-byte expression holds %d bytes: %.500s", size, len(ref.JSON), ref.JSON)
		}
		if sum, _ := cm.ConfigSum(); ref.ConfigSum != sum || len(ref.Holes) != 3 {
			t.Fatalf("sum %q holes %+v", ref.ConfigSum, ref.Holes)
		}
	}
}

// TestMatchRefAfterTheMonitorChanged: the current configuration is sent,
// an expression the monitor no longer has is null, and a deleted monitor
// is named only.
func TestMatchRefAfterTheMonitorChanged(t *testing.T) {
	t.Parallel()
	m, _ := refStellarMatch(t, "usdc", "3 >= 1000000000")
	ref, err := m.MarshalOZRef()
	if err != nil {
		t.Fatal(err)
	}
	_, changed := refStellarMatch(t, "usdc", "3 >= 2000000000")
	got, err := ref.Expand(changed, "usdc")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(got); !strings.Contains(s, `"events":[{"signature":"transfer(Address,Address,String,I128)","expression":null}]`) ||
		!strings.Contains(s, `"expression":"3 >= 2000000000"}],"transactions"`) || !strings.Contains(s, `"transactions":[{"status":"Success","expression":"ledger >= 0"}]`) {
		t.Fatalf("changed monitor:\n%s", s)
	}
	if sum, _ := changed.ConfigSum(); sum == ref.ConfigSum {
		t.Fatal("a changed configuration has the same sum")
	}
	got, err = ref.Expand(nil, "usdc")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(got); !strings.HasPrefix(s, `{"Stellar":{"monitor":{"name":"usdc"},"transaction":`) || strings.Contains(s, "1000000000") {
		t.Fatalf("deleted monitor:\n%s", s)
	}
}

// TestMatchRefRefusesBadHoles: a damaged reference (a hole outside its
// JSON, an unknown kind) is an error, not a panic or a guess.
func TestMatchRefRefusesBadHoles(t *testing.T) {
	t.Parallel()
	for name, ref := range map[string]monitor.MatchRef{
		"outside":   {JSON: `{}`, Holes: []monitor.MatchHole{{At: 3, What: "monitor"}}},
		"backwards": {JSON: `{"a":}`, Holes: []monitor.MatchHole{{At: 5, What: "monitor"}, {At: 1, What: "monitor"}}},
		"unknown":   {JSON: `{"a":}`, Holes: []monitor.MatchHole{{At: 5, What: strings.Repeat("x", 1<<20)}}},
	} {
		_, err := ref.Expand(nil, "m")
		if err == nil || len(err.Error()) > 200 {
			t.Errorf("%s: err = %.300v", name, err)
		}
	}
}

// TestMatchRefEVM: the EVM form (contract specs null) expands exactly too.
func TestMatchRefEVM(t *testing.T) {
	t.Parallel()
	const usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
	src := []byte(`{"name": "evm usdc", "networks": ["ethereum_mainnet"], "paused": false,
	  "addresses": [{"address": "` + usdc + `", "contract_spec": [
	    {"type": "function", "name": "transfer", "inputs": [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}], "outputs": [{"name": "", "type": "bool"}]}]}],
	  "match_conditions": {"functions": [{"signature": "transfer(address, uint256)", "expression": "value >= 1000000000"}], "events": [],
	    "transactions": [{"status": "Success"}]}, "trigger_conditions": [], "triggers": ["slack"]}`)
	mon, err := ozconfig.ParseMonitor("evm.json", src)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := monitor.Compile("tenant-42", mon, nil, monitor.WithABISource(chainEVMSource(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	input, _ := hex.DecodeString("a9059cbb000000000000000000000000f423d9c1ffeb6386639d024f3b241dab2331b63500000000000000000000000000000000000000000000000000000001e7aafcb0")
	block := &chain.Block{Chain: chain.EVM, Network: "ethereum_mainnet", Ledger: 21306058, Transactions: []chain.Transaction{{
		Hash: "0xd5", Index: 1, Success: true, EVM: &chain.EVMTransaction{From: "0x58b7", To: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
			Value: "0", Input: input, Receipt: &chain.EVMReceipt{Status: 1, GasUsed: "62272"}}}}}
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), block, []*monitor.CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %v, err %v", ms, err)
	}
	want, _ := ms[0].MarshalOZJSON()
	ref, err := ms[0].MarshalOZRef()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ref.Expand(cm, cm.Name)
	if err != nil || string(got) != string(want) {
		t.Fatalf("expanded (err %v)\n%s\nwant\n%s", err, got, want)
	}
	if strings.Contains(ref.JSON, "contract_spec") {
		t.Fatalf("reference holds the monitor: %s", ref.JSON)
	}
}

// BenchmarkMatchRefExpand is what rebuilding a raw webhook's MonitorMatch
// costs at send time, for a monitor with a 1 MB expression.
func BenchmarkMatchRefExpand(b *testing.B) {
	m, cm := refStellarMatch(b, "big", testkit.LongExpression("3", 60<<10))
	ref, err := m.MarshalOZRef()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ref.Expand(cm, cm.Name); err != nil {
			b.Fatal(err)
		}
	}
}
