package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	m := &ozconfig.Monitor{Name: "bad", Networks: []string{"stellar_mainnet"}}
	m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: "f()", Expression: "amount >"}}
	_, err := monitor.Compile("t9", m, nil)
	if err == nil || !strings.Contains(err.Error(), "match_conditions.functions[0]") || !strings.Contains(err.Error(), "t9") {
		t.Fatalf("unparsable expression: err = %v", err)
	}

	m = &ozconfig.Monitor{Name: "spec", Networks: []string{"stellar_mainnet"}, Addresses: []ozconfig.MonitorAddress{{Address: cA, ContractSpec: json.RawMessage(`[1]`)}}}
	boom := errors.New("bad spec")
	_, err = monitor.Compile("t9", m, func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if contract != cA || string(inline) != "[1]" || network != "stellar_mainnet" {
			t.Errorf("spec source called with %s %s %s", network, contract, inline)
		}
		return nil, boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), cA) {
		t.Fatalf("spec error: err = %v", err)
	}

	// Specs without a parser refuses inline specs rather than ignoring them.
	if _, err := monitor.Compile("t9", m, monitor.Specs(nil, nil)); err == nil || !strings.Contains(err.Error(), "no spec parser") {
		t.Fatalf("inline spec without parser: err = %v", err)
	}

	m = &ozconfig.Monitor{Name: "status", Networks: []string{"stellar_mainnet"}}
	m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: "success"}}
	if _, err := monitor.Compile("t9", m, nil); err == nil {
		t.Fatal("lowercase status accepted")
	}
	if _, err := monitor.Compile("t9", nil, nil); err == nil {
		t.Fatal("nil monitor accepted")
	}
}

func TestEvaluateTenantRefusesForeignMonitors(t *testing.T) {
	t.Parallel()
	e := monitor.NewEngine()
	p, err := e.Prepare(newBlock(tx("h", true, payOp(gD, 1))))
	if err != nil {
		t.Fatal(err)
	}
	mine := compileSpec(t, "alice", monitorSpec{txs: [][2]string{{"Any", ""}}}, nil)
	theirs := compileSpec(t, "bob", monitorSpec{txs: [][2]string{{"Any", ""}}}, nil)
	if _, err := e.EvaluateTenant(context.Background(), "alice", p, []*monitor.CompiledMonitor{mine, theirs}); err == nil {
		t.Fatal("EvaluateTenant accepted bob's monitor for alice")
	}
	ms, err := e.EvaluateTenant(context.Background(), "alice", p, []*monitor.CompiledMonitor{mine})
	if err != nil || len(ms) != 1 || ms[0].TenantID != "alice" {
		t.Fatalf("EvaluateTenant: %v %v", ms, err)
	}
}

func TestEvaluateHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cm := compileSpec(t, "t", monitorSpec{txs: [][2]string{{"Any", ""}}}, nil)
	_, err := monitor.NewEngine().EvaluateBlock(ctx, newBlock(tx("h", true)), []*monitor.CompiledMonitor{cm})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestPreparedBlockSharedAcrossTenants: one prepared ledger serves
// concurrent evaluations of different tenants with identical results.
func TestPreparedBlockSharedAcrossTenants(t *testing.T) {
	t.Parallel()
	spec := spec1("transfer", chain.SpecInput{Name: "amount", Kind: "I128"})
	var txs []chain.Transaction
	for i := 0; i < 20; i++ {
		x := tx(string(rune('a'+i)), true, callOp(cA, "transfer", chain.I128(0, uint64(i*100))))
		x.Events = []chain.Event{transferEvent(cA, int64(i*100))}
		txs = append(txs, x)
	}
	e := monitor.NewEngine()
	p, err := e.Prepare(newBlock(txs...))
	if err != nil {
		t.Fatal(err)
	}
	s := monitorSpec{addresses: []string{cA}, functions: [][2]string{{"transfer(I128)", "amount >= 1000"}}, events: [][2]string{{"transfer(Address,Address,I128)", "2 >= 1500"}}}
	results := make(chan []string, 8)
	for w := 0; w < 8; w++ {
		tenant := string(rune('A' + w))
		cm := compileSpec(t, tenant, s, map[string]*chain.ContractSpec{cA: spec})
		go func() {
			ms, err := e.EvaluateTenant(context.Background(), tenant, p, []*monitor.CompiledMonitor{cm})
			if err != nil {
				t.Error(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Transaction.Hash+":"+itoa(len(m.MatchedOn.Functions))+itoa(len(m.MatchedOn.Events)))
			}
			results <- out
		}()
	}
	first := <-results
	if len(first) != 10 || first[0] != "k:10" || first[5] != "p:11" {
		t.Fatalf("matches %v", first)
	}
	for w := 1; w < 8; w++ {
		wantEqual(t, "tenant result", <-results, first)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

func TestMarshalOZJSONWithoutTransaction(t *testing.T) {
	t.Parallel()
	if _, err := (&monitor.Match{}).MarshalOZJSON(); err == nil {
		t.Fatal("marshalled a match without transaction")
	}
}
