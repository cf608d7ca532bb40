package monitor_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The golden cases again, with the decoders production uses
// (chain/evm's ABICache, go-ethereum underneath) instead of the tests' own:
// the two must agree on signatures, selectors, argument rendering and
// kinds, or the engine's golden tests would prove nothing about
// production.

func chainEVMSource(t testing.TB, specs map[string][]byte) monitor.ABISource {
	t.Helper()
	abis := evm.NewABICache()
	return func(network, address string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		src := []byte(inline)
		if len(src) == 0 || string(src) == "null" {
			src = specs[address]
		}
		if src == nil {
			return nil, nil
		}
		a, err := abis.Get(src)
		if a == nil {
			return nil, err // never a typed nil
		}
		return a, nil
	}
}

func TestGoldenWithChainEVMDecoder(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	compile := func(m *ozconfig.Monitor, specs map[string][]byte) *monitor.CompiledMonitor {
		cm, err := monitor.Compile("tenant-a", m, nil, monitor.WithABISource(chainEVMSource(t, specs)))
		if err != nil {
			t.Fatalf("compile %q: %v", m.Name, err)
		}
		return cm
	}
	// Both decoders on the same monitors must produce identical matches.
	tuplesSpec := map[string][]byte{tuplesAddr: readEVMFixture(t, "contract_specs", "contract_spec_tuples.json")}
	cases := []struct {
		name   string
		block  int
		m      func() *ozconfig.Monitor
		specs  map[string][]byte
		logsOf func(string) bool
	}{
		{"V7 monitor.json", 0, func() *ozconfig.Monitor { return loadEVMMonitor(t, "monitor.json") }, usdcSpec(t), onlyUSDCTx},
		{"execution", 0, func() *ozconfig.Monitor { return loadEVMMonitor(t, "monitor.json") }, nil, allTxs},
		{"V10 increment", 3, func() *ozconfig.Monitor {
			return withConditions(t, ozconfig.MatchConditions{Functions: []ozconfig.FunctionCondition{{Signature: "increment()"}}})
		}, nil, allTxs},
		{"V16 tuples", 4, func() *ozconfig.Monitor { return loadEVMMonitor(t, "monitor_with_tuples.json") }, tuplesSpec, allTxs},
		{"V17 tuples equality", 4, func() *ozconfig.Monitor {
			m := loadEVMMonitor(t, "monitor_with_tuples.json")
			m.MatchConditions.Functions[0].Expression = "nestedStruct == '" + nestedStruct + "'"
			m.MatchConditions.Functions[0].Expr = nil
			return m
		}, tuplesSpec, allTxs},
	}
	for _, c := range cases {
		prod := compile(c.m(), c.specs)
		ours := compileEVM(t, c.m(), c.specs)
		got := f.evalEVM(t, c.block, c.logsOf, prod)
		want := f.evalEVM(t, c.block, c.logsOf, ours)
		if len(got) != 1 || len(want) != 1 {
			t.Fatalf("%s: %d matches with chain/evm, %d with the test decoder; want 1 each", c.name, len(got), len(want))
		}
		if !reflect.DeepEqual(got[0].MatchedOn, want[0].MatchedOn) || !reflect.DeepEqual(got[0].MatchedOnArgs, want[0].MatchedOnArgs) {
			t.Fatalf("%s: chain/evm\n%#v\n%#v\ntest decoder\n%#v\n%#v", c.name, got[0].MatchedOn, got[0].MatchedOnArgs, want[0].MatchedOn, want[0].MatchedOnArgs)
		}
	}
	// V2's exact event arguments with the production decoder.
	cm := compile(withConditions(t, ozconfig.MatchConditions{Events: []ozconfig.EventCondition{{Signature: transferSig, Expression: "value > 8000000000"}}}), nil)
	b := f.block(t, 0, blockOpts{logsOf: onlyUSDCTx})
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("V2: %d matches, err %v", len(ms), err)
	}
	e := ms[0].MatchedOnArgs.Events[0]
	if e.HexSignature != transferHex {
		t.Fatalf("V2 hex_signature = %q", e.HexSignature)
	}
	wantArgs(t, "V2 event", e.Args, []monitor.Arg{
		{Name: "from", Value: usdcTxFrom, Kind: "address", Indexed: true},
		{Name: "to", Value: usdcTxTo, Kind: "address", Indexed: true},
		{Name: "value", Value: "8181710000", Kind: "uint256"},
	})
}
