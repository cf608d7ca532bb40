package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Table and property tests of the matching rules (docs/compatibility.md#stellar-matching)
// and the matching-related property rules 21–25 (docs/compatibility.md#golden-tests;
// the expression rules belong to monitor/expr's tests).

const (
	cA = "CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	cB = "CBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	gS = "GSOURCEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	gD = "GDESTAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

type monitorSpec struct {
	name      string
	addresses []string
	functions [][2]string // signature, expression ("" = none)
	events    [][2]string
	txs       [][2]string // status, expression
}

func (s monitorSpec) json() string {
	conds := func(cs [][2]string, key string) string {
		parts := make([]string, 0, len(cs))
		for _, c := range cs {
			e := "null"
			if c[1] != "" {
				b, _ := json.Marshal(c[1])
				e = string(b)
			}
			b, _ := json.Marshal(c[0])
			parts = append(parts, fmt.Sprintf(`{%q: %s, "expression": %s}`, key, b, e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	addrs := make([]string, len(s.addresses))
	for i, a := range s.addresses {
		addrs[i] = fmt.Sprintf(`{"address": %q}`, a)
	}
	name := s.name
	if name == "" {
		name = "m"
	}
	return fmt.Sprintf(`{"name": %q, "networks": ["stellar_mainnet"], "paused": false,
	  "addresses": [%s],
	  "match_conditions": {"functions": %s, "events": %s, "transactions": %s},
	  "trigger_conditions": [], "triggers": []}`,
		name, strings.Join(addrs, ","), conds(s.functions, "signature"), conds(s.events, "signature"), conds(s.txs, "status"))
}

func compileSpec(t testing.TB, tenant string, s monitorSpec, specs map[string]*chain.ContractSpec) *monitor.CompiledMonitor {
	t.Helper()
	m, err := ozconfig.ParseMonitor(s.name+".json", []byte(s.json()))
	if err != nil {
		t.Fatalf("parse monitor: %v\n%s", err, s.json())
	}
	src := func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		return specs[contract], nil
	}
	cm, err := monitor.Compile(tenant, m, src)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return cm
}

func newBlock(txs ...chain.Transaction) *chain.Block {
	for i := range txs {
		txs[i].Index = i + 1
		for j := range txs[i].Operations {
			txs[i].Operations[j].Index = j
		}
		for j := range txs[i].Events {
			txs[i].Events[j].TxIndex = i + 1
		}
	}
	return &chain.Block{Chain: chain.Stellar, Network: "stellar_mainnet", Ledger: 1000, Hash: "ab", Transactions: txs}
}

func callOp(contract, fn string, args ...chain.Value) chain.Operation {
	return chain.Operation{Type: chain.OpInvokeContract, Name: "invoke_host_function", Call: &chain.Call{Contract: contract, Function: fn, Args: args}}
}

func payOp(to string, amount int64) chain.Operation {
	return chain.Operation{Type: chain.OpPayment, Name: "payment", Payment: &chain.Payment{From: gS, To: to, Asset: "native", Amount: amount}}
}

func tx(hash string, success bool, ops ...chain.Operation) chain.Transaction {
	return chain.Transaction{Hash: hash, Success: success, Source: gS, Operations: ops}
}

func transferEvent(contract string, amount int64) chain.Event {
	return chain.Event{Contract: contract, Topics: []chain.Value{chain.Symbol("transfer"), chain.Address(gS), chain.Address(gD)}, Data: chain.I128(0, uint64(amount))}
}

func spec1(fn string, inputs ...chain.SpecInput) *chain.ContractSpec {
	kinds := make([]string, len(inputs))
	for i := range inputs {
		inputs[i].Index = i
		kinds[i] = inputs[i].Kind
	}
	return &chain.ContractSpec{Functions: []chain.SpecFunction{{Name: fn, Signature: fn + "(" + strings.Join(kinds, ",") + ")", Inputs: inputs}}}
}

func run(t testing.TB, b *chain.Block, cms ...*monitor.CompiledMonitor) []*monitor.Match {
	t.Helper()
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, cms)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return ms
}

// TestCombinationRule walks docs/compatibility.md#combination-rule over every presence of
// event/function/transaction conditions and every outcome of each.
func TestCombinationRule(t *testing.T) {
	t.Parallel()
	transfer := spec1("transfer", chain.SpecInput{Name: "amount", Kind: "I128"})
	for mask := 0; mask < 8; mask++ {
		E, F, T := mask&1 != 0, mask&2 != 0, mask&4 != 0
		for outcome := 0; outcome < 8; outcome++ {
			e, f, tt := outcome&1 != 0, outcome&2 != 0, outcome&4 != 0
			s := monitorSpec{addresses: []string{cA}}
			if E {
				thr := "1000"
				if !e {
					thr = "999999"
				}
				s.events = [][2]string{{"transfer(Address,Address,I128)", "2 >= " + thr}}
			}
			if F {
				thr := "1000"
				if !f {
					thr = "999999"
				}
				s.functions = [][2]string{{"transfer(I128)", "amount >= " + thr}}
			}
			if T {
				status := "Success"
				if !tt {
					status = "Failure"
				}
				s.txs = [][2]string{{status, ""}}
			}
			cm := compileSpec(t, "t1", s, map[string]*chain.ContractSpec{cA: transfer})
			op := callOp(cA, "transfer", chain.I128(0, 5000))
			x := tx("h1", true, op)
			x.Events = []chain.Event{transferEvent(cA, 5000)}
			got := run(t, newBlock(x), cm)

			var want bool
			switch {
			case !E && !F && !T:
				want = true
			case !E && !F:
				want = tt
			case !T:
				want = (E && e) || (F && f)
			default:
				want = ((E && e) || (F && f)) && tt
			}
			if (len(got) == 1) != want || len(got) > 1 {
				t.Fatalf("E=%v F=%v T=%v e=%v f=%v t=%v: %d matches, want match=%v", E, F, T, e, f, tt, len(got), want)
			}
			if !want {
				continue
			}
			mo := got[0].MatchedOn
			if (len(mo.Events) > 0) != (E && e) || (len(mo.Functions) > 0) != (F && f) || (len(mo.Transactions) > 0) != T {
				t.Fatalf("E=%v F=%v T=%v e=%v f=%v t=%v: matched_on = %+v", E, F, T, e, f, tt, mo)
			}
			if (got[0].MatchedOnArgs.Events != nil) != (E && e) || (got[0].MatchedOnArgs.Functions != nil) != (F && f) {
				t.Fatalf("E=%v F=%v T=%v: matched_on_args = %+v", E, F, T, got[0].MatchedOnArgs)
			}
		}
	}
}

// TestNoAddressGateForTransactionMonitors: Stellar transaction-only and
// condition-less monitors see every transaction (docs/compatibility.md#quirks-we-keep), while
// function/event monitors only see their contracts.
func TestNoAddressGateForTransactionMonitors(t *testing.T) {
	t.Parallel()
	b := newBlock(
		tx("h1", true, payOp(gD, 10)),
		tx("h2", false, callOp(cB, "f")),
		tx("h3", true, callOp(cA, "g")),
	)
	txOnly := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, txs: [][2]string{{"Any", ""}}}, nil)
	none := compileSpec(t, "t", monitorSpec{}, nil)
	events := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, events: [][2]string{{"x()", ""}}}, nil)
	if got := hashes(run(t, b, txOnly)); !reflect.DeepEqual(got, []string{"h1", "h2", "h3"}) {
		t.Fatalf("transaction-only monitor matched %v", got)
	}
	got := run(t, b, none)
	if !reflect.DeepEqual(hashes(got), []string{"h1", "h2", "h3"}) {
		t.Fatalf("condition-less monitor matched %v", hashes(got))
	}
	if mo := got[0].MatchedOn; len(mo.Functions)+len(mo.Events)+len(mo.Transactions) != 0 {
		t.Fatalf("condition-less match records %+v", mo)
	}
	if got := run(t, b, events); len(got) != 0 {
		t.Fatalf("event monitor matched %v", hashes(got))
	}
}

// TestTransactionConditions is rule 21 and 3.7: status filter, the first
// condition without expression stops, conditions with expressions are all
// recorded, params per operation.
func TestTransactionConditions(t *testing.T) {
	t.Parallel()
	b := newBlock(
		tx("ok1", true, payOp(gD, 5), payOp(gD, 700)),
		tx("bad1", false, payOp(gD, 700)),
		tx("nop", true, chain.Operation{Type: chain.OpOther, Name: "bump_sequence"}),
	)
	cases := []struct {
		name string
		txs  [][2]string
		want map[string][]monitor.TransactionMatch
	}{
		{"status success", [][2]string{{"Success", ""}}, map[string][]monitor.TransactionMatch{
			"ok1": {{Status: "Success"}}, "nop": {{Status: "Success"}},
		}},
		{"status any records the real status", [][2]string{{"Any", ""}}, map[string][]monitor.TransactionMatch{
			"ok1": {{Status: "Success"}}, "bad1": {{Status: "Failure"}}, "nop": {{Status: "Success"}},
		}},
		{"value of a later operation", [][2]string{{"Any", "value > 600"}}, map[string][]monitor.TransactionMatch{
			"ok1": {{Status: "Success", Expression: ptr("value > 600")}}, "bad1": {{Status: "Failure", Expression: ptr("value > 600")}},
		}},
		{"both expressions recorded", [][2]string{{"Any", "value > 600"}, {"Success", "to == " + gD}}, map[string][]monitor.TransactionMatch{
			"ok1":  {{Status: "Success", Expression: ptr("value > 600")}, {Status: "Success", Expression: ptr("to == " + gD)}},
			"bad1": {{Status: "Failure", Expression: ptr("value > 600")}},
		}},
		{"no expression stops", [][2]string{{"Any", ""}, {"Any", "value > 600"}}, map[string][]monitor.TransactionMatch{
			"ok1": {{Status: "Success"}}, "bad1": {{Status: "Failure"}}, "nop": {{Status: "Success"}},
		}},
		{"hash and ledger", [][2]string{{"Any", "hash == 'NOP' AND ledger == 1000"}}, map[string][]monitor.TransactionMatch{
			"nop": {{Status: "Success", Expression: ptr("hash == 'NOP' AND ledger == 1000")}},
		}},
		{"from without operation is unknown", [][2]string{{"Any", "from == " + gS}}, map[string][]monitor.TransactionMatch{
			"ok1": {{Status: "Success", Expression: ptr("from == " + gS)}}, "bad1": {{Status: "Failure", Expression: ptr("from == " + gS)}},
		}},
	}
	for _, c := range cases {
		cm := compileSpec(t, "t", monitorSpec{txs: c.txs}, nil)
		got := map[string][]monitor.TransactionMatch{}
		for _, m := range run(t, b, cm) {
			got[m.Transaction.Hash] = m.MatchedOn.Transactions
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// TestFunctionPropertyNumericKinds is rule 22: a synthetic spec name(Kind)
// with `param0 >= T` matches iff the kind is numeric-128 and value ≥ T.
func TestFunctionPropertyNumericKinds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(22, 7))
	kinds := []struct {
		kind string
		val  func(n uint64) chain.Value
		num  bool
	}{
		{"I128", func(n uint64) chain.Value { return chain.I128(0, n) }, true},
		{"U128", func(n uint64) chain.Value { return chain.U128(0, n) }, true},
		{"Address", func(uint64) chain.Value { return chain.Address(gD) }, false},
		{"String", func(n uint64) chain.Value { return chain.String(fmt.Sprint(n)) }, false},
		{"Bool", func(n uint64) chain.Value { return chain.Bool(n%2 == 0) }, false},
		{"Symbol", func(n uint64) chain.Value { return chain.Symbol(fmt.Sprint("s", n)) }, false},
	}
	for i := 0; i < 300; i++ {
		k := kinds[r.IntN(len(kinds))]
		v, thr := r.Uint64N(1<<62), r.Uint64N(1<<62)
		if i%10 == 0 {
			thr = v
		}
		spec := spec1("fn", chain.SpecInput{Name: "param0", Kind: k.kind})
		cm := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, functions: [][2]string{{"fn(" + k.kind + ")", fmt.Sprintf("param0 >= %d", thr)}}}, map[string]*chain.ContractSpec{cA: spec})
		got := run(t, newBlock(tx("h", true, callOp(cA, "fn", k.val(v)))), cm)
		want := k.num && v >= thr
		if (len(got) == 1) != want {
			t.Fatalf("fn(%s) value %d >= %d: %d matches, want %v", k.kind, v, thr, len(got), want)
		}
		if want && (len(got[0].MatchedOn.Functions) != 1 || len(got[0].MatchedOnArgs.Functions) != 1 || got[0].MatchedOn.Functions[0].Expression == nil) {
			t.Fatalf("fn(%s): %+v", k.kind, got[0])
		}
	}
}

// TestEventPropertyNumericKinds is rule 24 with positional names (no spec)
// and with a spec naming the data parameter.
func TestEventPropertyNumericKinds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(24, 9))
	spec := &chain.ContractSpec{Events: []chain.SpecEvent{{Name: "Moved", PrefixTopics: []string{"moved"}, Params: []chain.SpecParam{{Name: "param0", Kind: "I128", Location: chain.LocationData}}}}}
	for i := 0; i < 300; i++ {
		hiPart := new(big.Int).Lsh(big.NewInt(int64(r.IntN(1000))), 64)
		v, thr := new(big.Int).Add(hiPart, new(big.Int).SetUint64(r.Uint64())), new(big.Int).Lsh(big.NewInt(int64(r.IntN(1000))), 64)
		unsigned := i%2 == 0
		var val chain.Value
		hi, lo := new(big.Int).Rsh(v, 64).Uint64(), new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
		kind := "I128"
		if unsigned {
			val, kind = chain.U128(hi, lo), "U128"
		} else {
			val = chain.I128(int64(hi), lo)
		}
		ev := chain.Event{Contract: cA, Topics: []chain.Value{chain.Symbol("moved")}, Data: val}
		x := tx("h", true)
		x.Events = []chain.Event{ev}
		b := newBlock(x)
		want := v.Cmp(thr) >= 0

		positional := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, events: [][2]string{{"moved(" + kind + ")", "0 >= " + thr.String()}}}, nil)
		named := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, events: [][2]string{{"Moved(" + kind + ")", "param0 >= " + thr.String()}}}, map[string]*chain.ContractSpec{cA: spec})
		for _, cm := range []*monitor.CompiledMonitor{positional, named} {
			got := run(t, b, cm)
			if (len(got) == 1) != want {
				t.Fatalf("event %s %s >= %s: %d matches, want %v", kind, v, thr, len(got), want)
			}
			if want && (len(got[0].MatchedOn.Events) != 1 || len(got[0].MatchedOnArgs.Events) != 1 || got[0].MatchedOnArgs.Events[0].Args[0].Value != v.String()) {
				t.Fatalf("event %s: %+v", kind, got[0].MatchedOnArgs)
			}
		}
	}
}

// TestEventConditionsAllRecorded: every matching event condition is
// recorded (no break) with its arguments; functions stop at the first
// matching condition (docs/compatibility.md#quirks-we-keep).
func TestEventConditionsAllRecorded(t *testing.T) {
	t.Parallel()
	x := tx("h", true, callOp(cA, "transfer", chain.I128(0, 5000)))
	x.Events = []chain.Event{transferEvent(cA, 5000)}
	b := newBlock(x)
	s := monitorSpec{
		addresses: []string{cA},
		events:    [][2]string{{"transfer(Address,Address,I128)", ""}, {"transfer(Address,Address,I128)", "2 > 10"}, {"transfer(Address,Address,I128)", "2 > 99999"}},
		functions: [][2]string{{"transfer(I128)", "amount > 10"}, {"transfer(I128)", ""}},
	}
	got := run(t, b, compileSpec(t, "t", s, map[string]*chain.ContractSpec{cA: spec1("transfer", chain.SpecInput{Name: "amount", Kind: "I128"})}))
	if len(got) != 1 {
		t.Fatalf("%d matches", len(got))
	}
	wantEqual(t, "events", got[0].MatchedOn.Events, []monitor.EventMatch{
		{Signature: "transfer(Address,Address,I128)"},
		{Signature: "transfer(Address,Address,I128)", Expression: ptr("2 > 10")},
	})
	if len(got[0].MatchedOnArgs.Events) != 2 {
		t.Fatalf("event args not aligned with events: %+v", got[0].MatchedOnArgs.Events)
	}
	wantEqual(t, "functions", got[0].MatchedOn.Functions, []monitor.FunctionMatch{{Signature: "transfer(I128)", Expression: ptr("amount > 10")}})
}

// TestSpecSignatureResolution covers 3.5's resolution quirks: container
// leniency, and the top-level bytes / UDT / option mismatches.
func TestSpecSignatureResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		kind  string
		arg   chain.Value
		match bool
	}{
		{"vec leniency", "Vec<Request>", chain.Vec(chain.U32(1)), true},
		{"map leniency", "Map<String,Position>", chain.Map(chain.MapEntry{Key: chain.Symbol("a"), Val: chain.U32(1)}), true},
		{"exact address", "Address", chain.Address(gD), true},
		{"bytes vs Bytes7", "Bytes", chain.Bytes([]byte("1234567")), false},
		{"bytes empty", "Bytes", chain.Bytes(nil), true},
		{"bytes_n", "Bytes32", chain.Bytes(make([]byte, 32)), true},
		{"top-level UDT struct", "Position", chain.Map(chain.MapEntry{Key: chain.Symbol("size"), Val: chain.U64(1)}), false},
		{"option with a value", "Void", chain.U32(3), false},
		{"option None", "Void", chain.Void(), true},
	}
	for _, c := range cases {
		spec := spec1("f", chain.SpecInput{Name: "x", Kind: c.kind})
		cm := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, functions: [][2]string{{"f(" + c.kind + ")", ""}}}, map[string]*chain.ContractSpec{cA: spec})
		got := run(t, newBlock(tx("h", true, callOp(cA, "f", c.arg))), cm)
		if (len(got) == 1) != c.match {
			t.Errorf("%s: spec %s, runtime %s: matched=%v, want %v", c.name, c.kind, c.arg.TypeName(), len(got) == 1, c.match)
		}
	}
}

// TestNormalization is rule 25: signatures and addresses compare without
// whitespace and case; other names or arities never match.
func TestNormalization(t *testing.T) {
	t.Parallel()
	spec := spec1("transfer", chain.SpecInput{Name: "amount", Kind: "I128"})
	b := newBlock(tx("h", true, callOp(cA, "transfer", chain.I128(0, 1))))
	for _, c := range []struct {
		addr, sig string
		match     bool
	}{
		{cA, "transfer(I128)", true},
		{strings.ToLower(cA), "TRANSFER( i128 )", true},
		{" " + cA[:10] + " \t" + cA[10:], "trans fer(I128)", true},
		{cA, "transfers(I128)", false},
		{cA, "transfer(I128,I128)", false},
		{cB, "transfer(I128)", false},
	} {
		cm := compileSpec(t, "t", monitorSpec{addresses: []string{c.addr}, functions: [][2]string{{c.sig, ""}}}, map[string]*chain.ContractSpec{cA: spec, cB: spec})
		if got := run(t, b, cm); (len(got) == 1) != c.match {
			t.Errorf("address %q signature %q: matched=%v, want %v", c.addr, c.sig, len(got) == 1, c.match)
		}
	}
}

// TestFeeBumpInnerOperations: ozmon's fix 10.4, a fee-bump transaction's
// inner operations are visible to function and transaction conditions.
func TestFeeBumpInnerOperations(t *testing.T) {
	t.Parallel()
	x := tx("fb", true, callOp(cA, "transfer", chain.I128(0, 7)), payOp(gD, 900))
	x.FeeBump, x.FeeSource = true, gD
	b := newBlock(x)
	fn := compileSpec(t, "t", monitorSpec{addresses: []string{cA}, functions: [][2]string{{"transfer(I128)", "amount == 7"}}}, map[string]*chain.ContractSpec{cA: spec1("transfer", chain.SpecInput{Name: "amount", Kind: "I128"})})
	txc := compileSpec(t, "t", monitorSpec{txs: [][2]string{{"Success", "value == 900"}}}, nil)
	if got := run(t, b, fn, txc); len(got) != 2 {
		t.Fatalf("fee-bump transaction: %d matches, want 2", len(got))
	}
}

// TestOutputOrder: monitors in the given order, then transactions in
// ledger order, one match per (monitor, transaction) even when several
// operations and events match.
func TestOutputOrder(t *testing.T) {
	t.Parallel()
	var txs []chain.Transaction
	for i := 0; i < 5; i++ {
		x := tx(fmt.Sprint("h", i), true, callOp(cA, "f"), callOp(cB, "f"))
		x.Events = []chain.Event{transferEvent(cA, 1), transferEvent(cB, 1)}
		txs = append(txs, x)
	}
	b := newBlock(txs...)
	m1 := compileSpec(t, "t", monitorSpec{name: "m1", addresses: []string{cB, cA}, events: [][2]string{{"transfer(Address,Address,I128)", ""}}}, nil)
	m2 := compileSpec(t, "t", monitorSpec{name: "m2", txs: [][2]string{{"Any", ""}}}, nil)
	got := run(t, b, m2, m1)
	var order []string
	for _, m := range got {
		order = append(order, m.MonitorName+":"+m.Transaction.Hash)
	}
	wantEqual(t, "order", order, []string{"m2:h0", "m2:h1", "m2:h2", "m2:h3", "m2:h4", "m1:h0", "m1:h1", "m1:h2", "m1:h3", "m1:h4"})
	if n := len(got[5].MatchedOn.Events); n != 2 {
		t.Fatalf("m1 recorded %d events of h0, want both", n)
	}
}

// TestOtherNetworkAndPaused: the engine ignores monitors that do not run
// on the block's network or are paused.
func TestOtherNetworkAndPaused(t *testing.T) {
	t.Parallel()
	b := newBlock(tx("h", true, payOp(gD, 1)))
	cm := compileSpec(t, "t", monitorSpec{txs: [][2]string{{"Any", ""}}}, nil)
	b.Network = "stellar_testnet"
	if got := run(t, b, cm); len(got) != 0 {
		t.Fatalf("monitor of stellar_mainnet matched a stellar_testnet block")
	}
	b.Network = "stellar_mainnet"
	cm.Paused = true
	if got := run(t, b, cm); len(got) != 0 {
		t.Fatalf("paused monitor matched")
	}
}
