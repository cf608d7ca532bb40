package monitor_test

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

// TestGoldenThroughEVMSimulator runs the golden cases that use whole
// fixture blocks with the blocks, logs and receipts served by the EVM
// simulator (by hash) and fetched by chain/evm's Source — the path the
// pipeline takes — instead of assembled in the test.
func TestGoldenThroughEVMSimulator(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(readEVMFixture(t, "blocks.json"), readEVMFixture(t, "transaction_receipts.json")))
	client, err := evm.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(n uint64, receipts bool) *chain.Block {
		src := &evm.Source{Client: client, Network: evmNetwork, Receipts: func() bool { return receipts }}
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	compile := func(m *ozconfig.Monitor, specs map[string][]byte) *monitor.CompiledMonitor {
		cm, err := monitor.Compile("tenant-a", m, nil, monitor.WithABISource(chainEVMSource(t, specs)))
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	engine := monitor.NewEngine()
	eval := func(b *chain.Block, cm *monitor.CompiledMonitor) []*monitor.Match {
		ms, err := engine.EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	// V7/V9 and the execution test: monitor.json on block 21306058.
	cm := compile(loadEVMMonitor(t, "monitor.json"), usdcSpec(t))
	m := wantOne(t, eval(fetch(21306058, monitor.NeedsReceipts([]*monitor.CompiledMonitor{cm})), cm))
	if m.Transaction.Hash != usdcTxHash || len(m.MatchedOn.Events) == 0 || len(m.MatchedOn.Functions) == 0 || len(m.MatchedOn.Transactions) == 0 {
		t.Fatalf("V7 match = %+v", m.MatchedOn)
	}
	wantVars(t, m.Variables(), map[string]string{
		"events.0.signature": transferSig, "events.0.args.from": usdcTxFrom, "events.0.args.to": usdcTxTo,
		"events.0.args.value": "8181710000", "functions.0.signature": transferFn, "functions.0.args.to": usdcTxTo,
		"functions.0.args.value": "8181710000", "transaction.hash": usdcTxHash, "transaction.from": usdcTxFrom,
		"transaction.to": usdcAddr, "transaction.value": "0", "monitor.name": "Mint USDC Token",
	})
	// V10: increment() on block 8219488.
	cm = compile(withConditions(t, ozconfig.MatchConditions{Functions: []ozconfig.FunctionCondition{{Signature: "increment()"}}}), nil)
	m = wantOne(t, eval(fetch(8219488, false), cm))
	if m.Transaction.Hash != incrTxHash {
		t.Fatalf("V10 tx = %s", m.Transaction.Hash)
	}
	// V16/V17: tuples on block 26966585.
	tuples := map[string][]byte{tuplesAddr: readEVMFixture(t, "contract_specs", "contract_spec_tuples.json")}
	mon := loadEVMMonitor(t, "monitor_with_tuples.json")
	mon.MatchConditions.Functions[0].Expression = "nestedStruct == '" + nestedStruct + "'"
	cm = compile(mon, tuples)
	m = wantOne(t, eval(fetch(26966585, false), cm))
	if m.MatchedOn.Functions[0].Signature != nestedFnSig {
		t.Fatalf("V17 signature = %s", m.MatchedOn.Functions[0].Signature)
	}
	// Every block was one eth_getBlockByNumber and one eth_getLogs; the
	// receipts only for the monitor that needed them.
	if b, l := sim.Calls("eth_getBlockByNumber"), sim.Calls("eth_getLogs"); b != 3 || l != 3 {
		t.Fatalf("block calls %d, log calls %d; want 3 and 3", b, l)
	}
}
