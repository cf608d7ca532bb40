package monitor_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Whatever the monitor (signature, expression, condition kind, status,
// watched address), evaluating the fixture block neither panics nor fails,
// and every match renders as MonitorMatch JSON and template variables.
func FuzzEVMEvaluate(f *testing.F) {
	fx := loadEVMFixture(f)
	blocks := []*chain.Block{
		fx.block(f, 0, blockOpts{logsOf: allTxs, receipts: true}),
		fx.block(f, 3, blockOpts{logsOf: allTxs}),
		fx.block(f, 4, blockOpts{logsOf: allTxs}),
	}
	usdcABI := readEVMFixture(f, "contract_specs", "contract_spec.json")
	tuplesABI := readEVMFixture(f, "contract_specs", "contract_spec_tuples.json")
	addrs := []string{usdcAddr, incrEVMAddr, tuplesAddr, usdcTxFrom, "0x80a64c6d7f12c47b7c66c5b4e20e72bc1fcd5d9e"}
	for _, s := range []struct {
		sig, expr string
		kind      uint8
	}{
		{transferFn, "value > 0", 0},
		{transferSig, "to == 0xf423d9c1ffeb6386639d024f3b241dab2331b635 AND value > 8000000000", 1},
		{"", "gas_used > 0 OR input contains 'a9059cbb'", 2},
		{nestedFnSig, "nestedStruct contains 'The Book Title'", 8},
		{nestedFnSig, `nestedStruct == '(true,"x",1)'`, 8},
		{nestedFnSig, "nestedStruct.0 == true", 8},
		{transferFn, "value[0] == 1", 4},
		{"increment()", "", 5},
		{transferSig, "from starts_with 0x58 OR value >= '0x1e7aafcb0'", 6},
	} {
		f.Add(s.sig, s.expr, s.kind)
	}
	f.Fuzz(func(t *testing.T, sig, text string, kind uint8) {
		var e *expr.Expr
		if text != "" {
			var err error
			if e, err = expr.Parse(text); err != nil {
				return // the config loader rejects it
			}
		}
		m := &ozconfig.Monitor{Name: "fuzz", Networks: []string{evmNetwork}}
		addr := addrs[int(kind>>3)%len(addrs)]
		spec := usdcABI
		if addr == tuplesAddr {
			spec = tuplesABI
		}
		m.Addresses = []ozconfig.MonitorAddress{{Address: addr, ContractSpec: json.RawMessage(spec)}}
		status := []ozconfig.TransactionStatus{ozconfig.StatusAny, ozconfig.StatusSuccess, ozconfig.StatusFailure}[int(kind>>6)%3]
		switch kind % 4 {
		case 0:
			m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: sig, Expression: text, Expr: e}}
		case 1:
			m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: sig, Expression: text, Expr: e}}
		case 2:
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: status, Expression: text, Expr: e}}
		case 3:
			m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: sig, Expression: text, Expr: e}}
			m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: sig, Expression: text, Expr: e}}
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: status, Expression: text, Expr: e}}
		}
		cm, err := monitor.Compile("tenant-f", m, nil, monitor.WithABISource(testABISource(t, nil)))
		if err != nil {
			return // e.g. an empty signature
		}
		for _, b := range blocks {
			ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
			if err != nil {
				t.Fatalf("evaluate block %d: %v", b.Ledger, err)
			}
			for _, mt := range ms {
				if _, err := mt.MarshalOZJSON(); err != nil {
					t.Fatalf("marshal: %v", err)
				}
				if mt.Variables()["transaction.hash"] == "" {
					t.Fatal("no transaction.hash variable")
				}
			}
		}
	})
}
