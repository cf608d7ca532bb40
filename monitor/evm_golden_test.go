package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

func usdcSpec(t testing.TB) map[string][]byte {
	return map[string][]byte{usdcAddr: readEVMFixture(t, "contract_specs", "contract_spec.json")}
}

// withConditions returns monitor.json with its match conditions replaced.
func withConditions(t testing.TB, mc ozconfig.MatchConditions) *ozconfig.Monitor {
	t.Helper()
	m := loadEVMMonitor(t, "monitor.json")
	m.MatchConditions = mc
	return m
}

func wantOne(t testing.TB, ms []*monitor.Match) *monitor.Match {
	t.Helper()
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	if ms[0].Transaction.Hash != usdcTxHash && ms[0].Transaction.Hash != incrTxHash && ms[0].Network != evmNetwork {
		t.Fatalf("unexpected match %s", ms[0].Transaction.Hash)
	}
	return ms[0]
}

func wantArgs(t testing.TB, what string, got []monitor.Arg, want []monitor.Arg) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s args = %#v, want %#v", what, got, want)
	}
}

func TestGoldenV1EventsWithoutExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Events: []ozconfig.EventCondition{{Signature: transferSig}},
	}), nil)
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if m.Transaction.Hash != usdcTxHash {
		t.Fatalf("tx = %s, want %s", m.Transaction.Hash, usdcTxHash)
	}
	if len(m.MatchedOn.Events) != 1 || m.MatchedOn.Events[0].Expression != nil {
		t.Fatalf("events = %#v, want one without expression", m.MatchedOn.Events)
	}
	if len(m.MatchedOnArgs.Events) != 1 || len(m.MatchedOnArgs.Events[0].Args) == 0 {
		t.Fatalf("event args = %#v, want one non-empty entry", m.MatchedOnArgs.Events)
	}
}

func TestGoldenV2EventsWithExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	expr := "to == 0xf423d9c1ffeb6386639d024f3b241dab2331b635 AND from == 0x58b704065b7aff3ed351052f8560019e05925023 AND value > 8000000000"
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Events: []ozconfig.EventCondition{{Signature: transferSig, Expression: expr}},
	}), nil)
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if got := m.MatchedOn.Events; len(got) != 1 || got[0].Signature != transferSig || got[0].Expression == nil || *got[0].Expression != expr {
		t.Fatalf("events = %#v", got)
	}
	e := m.MatchedOnArgs.Events[0]
	if e.HexSignature != transferHex {
		t.Fatalf("hex_signature = %q, want %q", e.HexSignature, transferHex)
	}
	wantArgs(t, "event", e.Args, []monitor.Arg{
		{Name: "from", Value: usdcTxFrom, Kind: "address", Indexed: true},
		{Name: "to", Value: usdcTxTo, Kind: "address", Indexed: true},
		{Name: "value", Value: "8181710000", Kind: "uint256"},
	})
	if m.MatchedOnArgs.Functions != nil {
		t.Fatalf("function args = %#v, want nil", m.MatchedOnArgs.Functions)
	}
}

func TestGoldenV3FunctionsWithoutExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Functions: []ozconfig.FunctionCondition{{Signature: transferFn}},
	}), usdcSpec(t))
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if got := m.MatchedOn.Functions; len(got) != 1 || got[0].Signature != transferFn || got[0].Expression != nil {
		t.Fatalf("functions = %#v", got)
	}
	if a := m.MatchedOnArgs.Functions; len(a) != 1 || len(a[0].Args) == 0 || a[0].HexSignature != "a9059cbb" {
		t.Fatalf("function args = %#v, want args and bare selector", a)
	}
}

func TestGoldenV4FunctionsWithExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Functions: []ozconfig.FunctionCondition{{Signature: "transfer(address, uint256)", Expression: "value > 0"}},
	}), usdcSpec(t))
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	a := m.MatchedOnArgs.Functions[0]
	if a.HexSignature != "0xa9059cbb" || a.Signature != transferFn {
		t.Fatalf("function entry = %#v, want 0xa9059cbb %s", a, transferFn)
	}
	wantArgs(t, "function", a.Args, []monitor.Arg{
		{Name: "to", Value: usdcTxTo, Kind: "address"},
		{Name: "value", Value: "8181710000", Kind: "uint256"},
	})
}

func TestGoldenV5TransactionsWithoutExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess}},
	}), nil)
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if m.Transaction.Hash != usdcTxHash {
		t.Fatalf("tx = %s: the address gate should leave only the USDC transfer", m.Transaction.Hash)
	}
	if got := m.MatchedOn.Transactions; !reflect.DeepEqual(got, []monitor.TransactionMatch{{Status: "Success"}}) {
		t.Fatalf("transactions = %#v", got)
	}
}

func TestGoldenV6TransactionsWithExpression(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess, Expression: "value == 0"}},
	}), nil)
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if got := m.MatchedOn.Transactions; !reflect.DeepEqual(got, []monitor.TransactionMatch{{Status: "Success", Expression: strPtr("value == 0")}}) {
		t.Fatalf("transactions = %#v", got)
	}
}

func TestGoldenV7MultipleConditions(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), usdcSpec(t))
	ms := f.evalEVM(t, 0, onlyUSDCTx, cm)
	if len(ms) < 1 {
		t.Fatal("no match")
	}
	m := ms[0]
	if len(m.MatchedOn.Events) == 0 || len(m.MatchedOn.Functions) == 0 || len(m.MatchedOn.Transactions) == 0 {
		t.Fatalf("matched_on = %#v, want events, functions and transactions", m.MatchedOn)
	}
	if got := m.MatchedOnArgs.Events[0].HexSignature; got != transferHex {
		t.Fatalf("event hex_signature = %q", got)
	}
	if got := m.MatchedOnArgs.Functions[0].HexSignature; got != "0xa9059cbb" {
		t.Fatalf("function hex_signature = %q", got)
	}
	if got := m.MatchedOn.Transactions; !reflect.DeepEqual(got, []monitor.TransactionMatch{{Status: "Success", Expression: strPtr("value >= 0")}}) {
		t.Fatalf("transactions = %#v", got)
	}
}

func TestGoldenV8StellarBlockIsRefused(t *testing.T) {
	t.Parallel()
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), nil)
	if cm.Chain() != chain.EVM {
		t.Fatalf("chain = %q, want evm (inferred from the addresses)", cm.Chain())
	}
	stellarBlock := &chain.Block{Chain: chain.Stellar, Network: evmNetwork, Ledger: 172627}
	_, err := monitor.NewEngine().EvaluateBlock(context.Background(), stellarBlock, []*monitor.CompiledMonitor{cm})
	if !errors.Is(err, monitor.ErrBlockTypeMismatch) {
		t.Fatalf("err = %v, want ErrBlockTypeMismatch", err)
	}
}

func wantVars(t testing.TB, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestGoldenV9HandleMatchVariables(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), usdcSpec(t))
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	wantVars(t, m.Variables(), map[string]string{
		"events.0.signature":     transferSig,
		"events.0.args.from":     usdcTxFrom,
		"events.0.args.to":       usdcTxTo,
		"events.0.args.value":    "8181710000",
		"functions.0.signature":  transferFn,
		"functions.0.args.to":    usdcTxTo,
		"functions.0.args.value": "8181710000",
		"transaction.hash":       usdcTxHash,
		"transaction.from":       usdcTxFrom,
		"transaction.to":         usdcAddr,
		"transaction.value":      "0",
		"monitor.name":           "Mint USDC Token",
	})
}

func TestGoldenV10HandleMatchWithoutArgs(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Functions: []ozconfig.FunctionCondition{{Signature: "increment()"}},
	}), nil)
	m := wantOne(t, f.evalEVM(t, 3, allTxs, cm))
	vars := m.Variables()
	wantVars(t, vars, map[string]string{
		"transaction.hash":      incrTxHash,
		"transaction.from":      "0x6b9501462d48f7e78ba11c98508ee16d29a03411",
		"transaction.to":        incrEVMAddr,
		"transaction.value":     "0",
		"functions.0.signature": "increment()",
	})
	if a := m.MatchedOnArgs.Functions; len(a) != 1 || len(a[0].Args) != 0 || a[0].HexSignature != "d09de08a" {
		t.Fatalf("function args = %#v", a)
	}
}

// syntheticBlock is one transaction to contract with the given input and
// logs.
func syntheticBlock(contract string, input []byte, logs []chain.EVMLog) *chain.Block {
	return &chain.Block{Chain: chain.EVM, Network: evmNetwork, Ledger: 1, Hash: "0x01", Transactions: []chain.Transaction{{
		Hash: "0x00000000000000000000000000000000000000000000000000000000000000aa", Index: 1, Success: true,
		EVM: &chain.EVMTransaction{From: "0x1111111111111111111111111111111111111111", To: contract, Value: "5", Input: input, Logs: logs},
	}}}
}

func abiWord(hexTail string) string {
	return "0x" + pad64(hexTail)
}

func pad64(s string) string {
	for len(s) < 64 {
		s = "0" + s
	}
	return s
}

func syntheticMonitor(addr, abi string, mc ozconfig.MatchConditions) *ozconfig.Monitor {
	return &ozconfig.Monitor{
		Name: "synthetic", Networks: []string{evmNetwork},
		Addresses:       []ozconfig.MonitorAddress{{Address: addr, ContractSpec: json.RawMessage(abi)}},
		MatchConditions: mc,
	}
}

func TestGoldenV11KeyCollision(t *testing.T) {
	t.Parallel()
	const contract = "0x2222222222222222222222222222222222222222"
	abi := `[{"type":"function","name":"set","inputs":[{"name":"signature","type":"uint256"}]}]`
	sel := keccak("set(uint256)")[:4]
	input := append(append([]byte{}, sel...), hexBytesNoT(pad64("2a"))...)
	cm := compileEVM(t, syntheticMonitor(contract, abi, ozconfig.MatchConditions{
		Functions: []ozconfig.FunctionCondition{{Signature: "set(uint256)"}},
	}), nil)
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), syntheticBlock(contract, input, nil), []*monitor.CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches = %d, err = %v; want 1", len(ms), err)
	}
	wantVars(t, ms[0].Variables(), map[string]string{
		"functions.0.signature":      "set(uint256)",
		"functions.0.args.signature": "42",
		"transaction.value":          "5",
	})
}

func TestGoldenV12DuplicateEventSignatures(t *testing.T) {
	t.Parallel()
	const contract = "0x3333333333333333333333333333333333333333"
	abi := `[{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]}]`
	logs := []chain.EVMLog{
		{Address: contract, Topics: []string{transferHex, abiWord("aaaa"), abiWord("bbbb")}, Data: hexBytesNoT(pad64("3e8"))},
		{Address: contract, Topics: []string{transferHex, abiWord("cccc"), abiWord("dddd")}, Data: hexBytesNoT(pad64("7d0")), LogIndex: 1},
	}
	cm := compileEVM(t, syntheticMonitor(contract, abi, ozconfig.MatchConditions{
		Events: []ozconfig.EventCondition{{Signature: transferSig}},
	}), nil)
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), syntheticBlock(contract, nil, logs), []*monitor.CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches = %d, err = %v; want 1", len(ms), err)
	}
	addr := func(tail string) string { return "0x" + pad64(tail)[24:] }
	wantVars(t, ms[0].Variables(), map[string]string{
		"events.0.signature":  transferSig,
		"events.0.args.from":  addr("aaaa"),
		"events.0.args.to":    addr("bbbb"),
		"events.0.args.value": "1000",
		"events.1.signature":  transferSig,
		"events.1.args.from":  addr("cccc"),
		"events.1.args.to":    addr("dddd"),
		"events.1.args.value": "2000",
	})
}

func hexBytesNoT(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return b
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func receiptConditions(txs []ozconfig.TransactionCondition) ozconfig.MatchConditions {
	return ozconfig.MatchConditions{
		Events:       []ozconfig.EventCondition{{Signature: transferSig}},
		Functions:    []ozconfig.FunctionCondition{{Signature: transferFn}},
		Transactions: txs,
	}
}

func TestGoldenV13ReceiptAndLogs(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, receiptConditions([]ozconfig.TransactionCondition{
		{Status: ozconfig.StatusAny, Expression: "gas_used > 0"},
	})), usdcSpec(t))
	if !cm.NeedsReceipt() {
		t.Fatal("NeedsReceipt = false for an expression on gas_used")
	}
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	r := m.Transaction.EVM.Receipt
	if r == nil || r.Status != 1 || r.GasUsed == "0" || r.GasUsed == "" {
		t.Fatalf("receipt = %#v, want status 1 and gas used", r)
	}
	if len(m.Transaction.EVM.Logs) == 0 {
		t.Fatal("no logs")
	}
	if got := m.MatchedOnArgs.Functions[0].HexSignature; got != "a9059cbb" {
		t.Fatalf("function hex_signature = %q, want a9059cbb (no expression: no 0x)", got)
	}
	js := ozEVM(t, m)
	if js.Receipt == nil || len(js.Logs) != 1 {
		t.Fatalf("JSON receipt = %v, logs = %d", js.Receipt, len(js.Logs))
	}
}

func TestGoldenV14OnlyLogs(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, receiptConditions(nil)), usdcSpec(t))
	if cm.NeedsReceipt() {
		t.Fatal("NeedsReceipt = true without transaction conditions")
	}
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	if m.Transaction.EVM.Receipt != nil {
		t.Fatal("receipt present, want absent")
	}
	js := ozEVM(t, m)
	if js.Receipt != nil || len(js.Logs) == 0 {
		t.Fatalf("JSON receipt = %v, logs = %d; want null and logs", js.Receipt, len(js.Logs))
	}
}

func TestGoldenV15ReceiptForStatus(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, withConditions(t, ozconfig.MatchConditions{
		Functions:    []ozconfig.FunctionCondition{{Signature: transferFn}},
		Transactions: []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess}},
	}), usdcSpec(t))
	m := wantOne(t, f.evalEVM(t, 0, nil, cm))
	if r := m.Transaction.EVM.Receipt; r == nil || r.Status != 1 {
		t.Fatalf("receipt = %#v, want status 1", r)
	}
	if js := ozEVM(t, m); js.Logs == nil || len(js.Logs) != 0 {
		t.Fatalf("JSON logs = %#v, want []", js.Logs)
	}
}

func tuplesMonitor(t testing.TB, expr string) *monitor.CompiledMonitor {
	m := loadEVMMonitor(t, "monitor_with_tuples.json")
	if expr != "" {
		m.MatchConditions.Functions[0].Expression = expr
		m.MatchConditions.Functions[0].Expr = nil
	}
	return compileEVM(t, m, map[string][]byte{tuplesAddr: readEVMFixture(t, "contract_specs", "contract_spec_tuples.json")})
}

func TestGoldenV16TuplesContains(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	ms := f.evalEVM(t, 4, allTxs, tuplesMonitor(t, ""))
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	m := ms[0]
	if got := m.MatchedOn.Functions; len(got) != 1 || got[0].Signature != nestedFnSig {
		t.Fatalf("functions = %#v", got)
	}
	wantArgs(t, "function", m.MatchedOnArgs.Functions[0].Args, []monitor.Arg{
		{Name: "nestedStruct", Value: nestedStruct, Kind: "tuple"},
	})
	js := ozEVM(t, m)
	if js.Receipt != nil || js.Logs == nil || len(js.Logs) != 0 {
		t.Fatalf("JSON receipt = %v, logs = %#v; want null and []", js.Receipt, js.Logs)
	}
}

func TestGoldenV17TuplesEquality(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	ms := f.evalEVM(t, 4, allTxs, tuplesMonitor(t, "nestedStruct == '"+nestedStruct+"'"))
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	if got := ms[0].MatchedOnArgs.Functions[0].HexSignature; got[:2] != "0x" {
		t.Fatalf("hex_signature = %q, want 0x-prefixed (matched by an expression)", got)
	}
	// A different title must not match: the equality is exact.
	ms = f.evalEVM(t, 4, allTxs, tuplesMonitor(t, `nestedStruct == '(true,"Another Title","Author Name",123,"0x1234567890abcdef1234567890abcdef12345678",["fiction","bestseller"],("The Sequel",321))'`))
	if len(ms) != 0 {
		t.Fatalf("got %d matches for another title, want 0", len(ms))
	}
}

// TestGoldenEVMExecuteMonitor is the original's execution test: the whole
// block with every receipt's logs and the receipts themselves.
func TestGoldenEVMExecuteMonitor(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), nil)
	b := f.block(t, 0, blockOpts{logsOf: allTxs, receipts: true})
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Transaction.Hash != usdcTxHash {
		t.Fatalf("got %d matches, want 1 on %s", len(ms), usdcTxHash)
	}
}

// ozEVMJSON is the EVM MonitorMatch as scripts and raw webhooks see it.
type ozEVMJSON struct {
	Monitor struct {
		Name      string `json:"name"`
		Addresses []struct {
			Address      string          `json:"address"`
			ContractSpec json.RawMessage `json:"contract_spec"`
		} `json:"addresses"`
	} `json:"monitor"`
	Transaction   map[string]any             `json:"transaction"`
	Receipt       map[string]any             `json:"receipt"`
	Logs          []map[string]any           `json:"logs"`
	NetworkSlug   string                     `json:"network_slug"`
	MatchedOn     map[string]json.RawMessage `json:"matched_on"`
	MatchedOnArgs struct {
		Functions []map[string]any `json:"functions"`
		Events    []map[string]any `json:"events"`
	} `json:"matched_on_args"`
}

func ozEVM(t testing.TB, m *monitor.Match) *ozEVMJSON {
	t.Helper()
	b, err := m.MarshalOZJSON()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var w struct {
		EVM *ozEVMJSON `json:"EVM"`
	}
	if err := json.Unmarshal(b, &w); err != nil || w.EVM == nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return w.EVM
}

func TestEVMMonitorMatchJSON(t *testing.T) {
	t.Parallel()
	f := loadEVMFixture(t)
	cm := compileEVM(t, loadEVMMonitor(t, "monitor.json"), usdcSpec(t))
	m := wantOne(t, f.evalEVM(t, 0, onlyUSDCTx, cm))
	js := ozEVM(t, m)
	if js.Monitor.Name != "Mint USDC Token" || len(js.Monitor.Addresses) != 2 {
		t.Fatalf("monitor = %+v", js.Monitor)
	}
	for _, a := range js.Monitor.Addresses {
		if string(a.ContractSpec) != "null" {
			t.Fatalf("address %s contract_spec = %s, want null", a.Address, a.ContractSpec)
		}
	}
	if js.Transaction["hash"] != usdcTxHash || js.Transaction["input"] == nil {
		t.Fatalf("transaction = %v, want the RPC object", js.Transaction)
	}
	if js.Receipt == nil || js.Receipt["status"] != "0x1" {
		t.Fatalf("receipt = %v, want the RPC receipt (Success needs it)", js.Receipt)
	}
	if len(js.Logs) != 1 || js.Logs[0]["logIndex"] != "0x161" {
		t.Fatalf("logs = %v", js.Logs)
	}
	if js.NetworkSlug != evmNetwork {
		t.Fatalf("network_slug = %q", js.NetworkSlug)
	}
	if got := js.MatchedOnArgs.Functions[0]["hex_signature"]; got != "0xa9059cbb" {
		t.Fatalf("functions hex_signature = %v", got)
	}
	if got := js.MatchedOnArgs.Events[0]["hex_signature"]; got != transferHex {
		t.Fatalf("events hex_signature = %v", got)
	}
	// The configuration the monitor was compiled from keeps its ABIs.
	if len(cm.Config.Addresses[0].ContractSpec) < 100 {
		t.Fatal("compiled monitor config lost its contract_spec")
	}
}
