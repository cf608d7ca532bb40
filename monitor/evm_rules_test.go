package monitor_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Rules of docs/compatibility.md#evm-matching that the fixtures do not exercise, on synthetic blocks.

const (
	ruleContract = "0x4444444444444444444444444444444444444444"
	ruleSender   = "0x5555555555555555555555555555555555555555"
	ruleABI      = `[{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"function","name":"transfer","inputs":[{"name":"to","type":"address"},{"name":"value","type":"uint256"}]}]`
)

func transferLog(contract, value string) chain.EVMLog {
	return chain.EVMLog{Address: contract, Topics: []string{transferHex, abiWord("aa"), abiWord("bb")}, Data: hexBytesNoT(pad64(value))}
}

func transferInput(value string) []byte {
	in := append([]byte{}, keccak("transfer(address,uint256)")[:4]...)
	in = append(in, hexBytesNoT(pad64("bb"))...)
	return append(in, hexBytesNoT(pad64(value))...)
}

func ruleBlock(txs ...chain.EVMTransaction) *chain.Block {
	b := &chain.Block{Chain: chain.EVM, Network: evmNetwork, Ledger: 7, Hash: "0x07"}
	for i := range txs {
		e := txs[i]
		if e.From == "" {
			e.From = ruleSender
		}
		e.TransactionIndex = uint64(i)
		b.Transactions = append(b.Transactions, chain.Transaction{
			Hash: "0x" + pad64(string(rune('a'+i))), Index: i + 1, Success: true, EVM: &e,
		})
	}
	return b
}

func ruleEval(t *testing.T, b *chain.Block, mc ozconfig.MatchConditions, addrs ...string) []*monitor.Match {
	t.Helper()
	if len(addrs) == 0 {
		addrs = []string{ruleContract}
	}
	m := &ozconfig.Monitor{Name: "rules", Networks: []string{evmNetwork}, MatchConditions: mc}
	for _, a := range addrs {
		m.Addresses = append(m.Addresses, ozconfig.MonitorAddress{Address: a, ContractSpec: json.RawMessage(ruleABI)})
	}
	cm := compileEVM(t, m, nil)
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return ms
}

func TestEVMEventConditionsFirstHoldingWins(t *testing.T) {
	t.Parallel()
	b := ruleBlock(chain.EVMTransaction{To: ruleContract, Logs: []chain.EVMLog{transferLog(ruleContract, "10"), transferLog(ruleContract, "99")}})
	ms := ruleEval(t, b, ozconfig.MatchConditions{Events: []ozconfig.EventCondition{
		{Signature: transferSig, Expression: "value > 50"},
		{Signature: "transfer(address,address,uint256)", Expression: "value > 5"},
		{Signature: transferSig},
	}})
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	got := ms[0].MatchedOn.Events
	want := []monitor.EventMatch{
		{Signature: transferSig, Expression: strPtr("value > 5")},
		{Signature: transferSig, Expression: strPtr("value > 50")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %#v, want one entry per log, the first holding condition each", got)
	}
	if a := ms[0].MatchedOnArgs.Events; len(a) != 2 || a[1].Args[2].Value != "153" /* 0x99 */ {
		t.Fatalf("event args = %#v", a)
	}
}

func TestEVMAddressGate(t *testing.T) {
	t.Parallel()
	other := "0x6666666666666666666666666666666666666666"
	b := ruleBlock(
		chain.EVMTransaction{To: other, Value: "1"},                                                       // not involved
		chain.EVMTransaction{From: ruleContract, To: other, Value: "2"},                                   // watched sender
		chain.EVMTransaction{To: other, Value: "3", Logs: []chain.EVMLog{transferLog(ruleContract, "1")}}, // watched emitter
		chain.EVMTransaction{To: ruleContract, Value: "4"},                                                // watched recipient
	)
	ms := ruleEval(t, b, ozconfig.MatchConditions{Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny}}})
	var values []string
	for _, m := range ms {
		values = append(values, m.Transaction.EVM.Value)
	}
	if !reflect.DeepEqual(values, []string{"2", "3", "4"}) {
		t.Fatalf("matched values = %v, want 2 3 4 (transactions involving the address)", values)
	}
	// Without any condition a monitor matches every gated transaction.
	if ms := ruleEval(t, b, ozconfig.MatchConditions{}); len(ms) != 3 {
		t.Fatalf("condition-less monitor: %d matches, want 3", len(ms))
	}
	// An address written without 0x and in upper case is the same address.
	if ms := ruleEval(t, b, ozconfig.MatchConditions{}, "4444444444444444444444444444444444444444"); len(ms) != 3 {
		t.Fatalf("address without 0x: %d matches, want 3", len(ms))
	}
}

func TestEVMFunctionsTopLevelOnly(t *testing.T) {
	t.Parallel()
	other := "0x6666666666666666666666666666666666666666"
	b := ruleBlock(
		chain.EVMTransaction{To: other, Input: transferInput("5"), Logs: []chain.EVMLog{transferLog(ruleContract, "1")}},
		chain.EVMTransaction{To: ruleContract, Input: transferInput("6")},
		chain.EVMTransaction{To: ruleContract, Input: []byte{0xa9, 0x05}}, // shorter than a selector
		chain.EVMTransaction{To: ruleContract, Input: append(transferInput("7")[:4], 1, 2)},
	)
	ms := ruleEval(t, b, ozconfig.MatchConditions{Functions: []ozconfig.FunctionCondition{
		{Signature: "TRANSFER(address , uint256)", Expression: "value > 100"},
		{Signature: transferFn, Expression: "value >= 6"},
		{Signature: transferFn},
	}})
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1 (the call to the watched contract that decodes)", len(ms))
	}
	want := []monitor.FunctionMatch{{Signature: transferFn, Expression: strPtr("value >= 6")}}
	if got := ms[0].MatchedOn.Functions; !reflect.DeepEqual(got, want) {
		t.Fatalf("functions = %#v, want %#v", got, want)
	}
}

func TestEVMTransactionConditions(t *testing.T) {
	t.Parallel()
	b := ruleBlock(
		chain.EVMTransaction{To: ruleContract, Value: "1", Receipt: &chain.EVMReceipt{Status: 0, GasUsed: "21000"}},
		chain.EVMTransaction{To: ruleContract, Value: "2", GasPrice: "7", Nonce: "3", Gas: "50000"},
		chain.EVMTransaction{To: ruleContract, Value: "3", MaxFeePerGas: "9", MaxPriorityFeePerGas: "2", Receipt: &chain.EVMReceipt{Status: 1, GasUsed: "30000"}},
	)
	cases := []struct {
		name string
		txs  []ozconfig.TransactionCondition
		want []*monitor.TransactionMatch // per transaction, nil: no match
	}{
		{"failure from receipt", []ozconfig.TransactionCondition{{Status: ozconfig.StatusFailure}},
			[]*monitor.TransactionMatch{{Status: "Failure"}, nil, nil}},
		{"success assumed without receipt", []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess}},
			[]*monitor.TransactionMatch{nil, {Status: "Success"}, {Status: "Success"}}},
		{"first holding condition wins", []ozconfig.TransactionCondition{
			{Status: ozconfig.StatusAny, Expression: "value >= 2"}, {Status: ozconfig.StatusAny}},
			[]*monitor.TransactionMatch{{Status: "Failure"}, {Status: "Success", Expression: strPtr("value >= 2")}, {Status: "Success", Expression: strPtr("value >= 2")}}},
		{"gas_used needs a receipt", []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny, Expression: "gas_used > 25000"}},
			[]*monitor.TransactionMatch{nil, nil, {Status: "Success", Expression: strPtr("gas_used > 25000")}}},
		{"fees default to zero", []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny, Expression: "gas_price == 0 AND max_fee_per_gas == 9 AND max_priority_fee_per_gas < 3"}},
			[]*monitor.TransactionMatch{nil, nil, {Status: "Success", Expression: strPtr("gas_price == 0 AND max_fee_per_gas == 9 AND max_priority_fee_per_gas < 3")}}},
		{"all parameters", []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny, Expression: "gas_limit == 50000 AND nonce == 3 AND to == " + ruleContract + " AND from == " + ruleSender + " AND transaction_index == 1 AND input == '0x' AND hash starts_with '0x00'"}},
			[]*monitor.TransactionMatch{nil, {Status: "Success", Expression: strPtr("gas_limit == 50000 AND nonce == 3 AND to == " + ruleContract + " AND from == " + ruleSender + " AND transaction_index == 1 AND input == '0x' AND hash starts_with '0x00'")}, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := ruleEval(t, b, ozconfig.MatchConditions{Transactions: c.txs})
			got := make([]monitor.TransactionMatch, len(b.Transactions))
			for _, m := range ms {
				if len(m.MatchedOn.Transactions) != 1 {
					t.Fatalf("tx %d: %d transaction entries, want 1", m.Transaction.Index, len(m.MatchedOn.Transactions))
				}
				got[m.Transaction.Index-1] = m.MatchedOn.Transactions[0]
			}
			want := make([]monitor.TransactionMatch, len(b.Transactions))
			for i, w := range c.want {
				if w != nil {
					want[i] = *w
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestEVMContractCreationVariables(t *testing.T) {
	t.Parallel()
	b := ruleBlock(chain.EVMTransaction{From: ruleContract, Value: "1000000000000000000"})
	ms := ruleEval(t, b, ozconfig.MatchConditions{})
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	vars := ms[0].Variables()
	if _, ok := vars["transaction.to"]; ok {
		t.Fatalf("transaction.to = %q, want absent for a contract creation", vars["transaction.to"])
	}
	if vars["transaction.value"] != "1000000000000000000" || vars["transaction.from"] != ruleContract {
		t.Fatalf("vars = %v", vars)
	}
	js := ozEVM(t, ms[0])
	if js.Transaction["to"] != nil || js.Receipt != nil || js.Logs == nil {
		t.Fatalf("JSON transaction = %v receipt = %v logs = %v", js.Transaction, js.Receipt, js.Logs)
	}
}

func TestEVMNeedsReceipts(t *testing.T) {
	t.Parallel()
	compile := func(txs ...ozconfig.TransactionCondition) *monitor.CompiledMonitor {
		return compileEVM(t, &ozconfig.Monitor{Name: "r", Networks: []string{evmNetwork},
			Addresses:       []ozconfig.MonitorAddress{{Address: ruleContract}},
			MatchConditions: ozconfig.MatchConditions{Transactions: txs}}, nil)
	}
	anyCond := compile(ozconfig.TransactionCondition{Status: ozconfig.StatusAny, Expression: "value > 0"})
	status := compile(ozconfig.TransactionCondition{Status: ozconfig.StatusFailure})
	gas := compile(ozconfig.TransactionCondition{Status: ozconfig.StatusAny, Expression: "value > 0 OR gas_used > 1"})
	quoted := compile(ozconfig.TransactionCondition{Status: ozconfig.StatusAny, Expression: "input contains 'gas_used'"})
	for _, c := range []struct {
		cm   *monitor.CompiledMonitor
		want bool
	}{{anyCond, false}, {status, true}, {gas, true}, {quoted, false}} {
		if got := c.cm.NeedsReceipt(); got != c.want {
			t.Errorf("%v NeedsReceipt = %v, want %v", c.cm.Config.MatchConditions.Transactions, got, c.want)
		}
	}
	if monitor.NeedsReceipts([]*monitor.CompiledMonitor{anyCond, quoted}) {
		t.Error("NeedsReceipts = true, want false")
	}
	if !monitor.NeedsReceipts([]*monitor.CompiledMonitor{anyCond, nil, gas}) {
		t.Error("NeedsReceipts = false, want true")
	}
}

func TestEVMIndexCandidates(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	b := f.block(t, 0, blockOpts{logsOf: onlyUSDCTx})
	usdc := compileEVM(t, loadEVMMonitor(t, "monitor.json"), nil)
	sender := compileEVM(t, &ozconfig.Monitor{Name: "sender", Networks: []string{evmNetwork},
		Addresses:       []ozconfig.MonitorAddress{{Address: "0x58B704065B7AFF3ED351052F8560019E05925023"}},
		MatchConditions: ozconfig.MatchConditions{Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny}}}}, nil)
	absent := compileEVM(t, &ozconfig.Monitor{Name: "absent", Networks: []string{evmNetwork},
		Addresses:       []ozconfig.MonitorAddress{{Address: ruleContract}},
		MatchConditions: ozconfig.MatchConditions{Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny}}}}, nil)
	ix := monitor.NewIndex(evmNetwork)
	if err := ix.SetTenant("tenant-a", []*monitor.CompiledMonitor{usdc, sender, absent}); err != nil {
		t.Fatal(err)
	}
	got := ix.Candidates(b)
	if len(got) != 1 || len(got[0].Monitors) != 2 || got[0].Monitors[0] != usdc || got[0].Monitors[1] != sender {
		t.Fatalf("candidates = %+v, want monitor.json and the sender monitor (a transaction-only EVM monitor is gated by its addresses)", got)
	}
	if of := ix.CandidatesOf(b, []string{"tenant-a"}); len(of) != 1 || len(of[0].Monitors) != 2 {
		t.Fatalf("CandidatesOf = %+v", of)
	}
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, got[0].Monitors)
	if err != nil || len(ms) != 2 {
		t.Fatalf("matches = %d, err = %v; want 2", len(ms), err)
	}
}

// One prepared block is shared by concurrent evaluations (one per tenant
// batch); the decodings they cache must not change anyone's result.
func TestEVMPreparedBlockConcurrent(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	b := f.block(t, 0, blockOpts{logsOf: allTxs, receipts: true})
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), usdcSpec(t))
	e := monitor.NewEngine()
	want, err := e.EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
	if err != nil || len(want) != 1 {
		t.Fatalf("matches = %d, err = %v", len(want), err)
	}
	p, err := e.Prepare(b)
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan []*monitor.Match, 8)
	for range 8 {
		go func() {
			ms, _ := e.EvaluateTenant(context.Background(), "tenant-a", p, []*monitor.CompiledMonitor{cm})
			results <- ms
		}()
	}
	for range 8 {
		got := <-results
		if len(got) != 1 || !reflect.DeepEqual(got[0].MatchedOnArgs, want[0].MatchedOnArgs) {
			t.Fatalf("concurrent evaluation = %+v, want %+v", got, want)
		}
	}
}
