package monitor_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// TestTransactionGateKeepsMatches: a transaction-only monitor whose
// expression requires a `to` or a lower bound on `value` is skipped on
// ledgers that cannot satisfy it (stellar_gate.go). Over the 20 mainnet
// ledgers it matches exactly the transactions the same expression
// matches when written so that no gate applies (`X OR X`).
func TestTransactionGateKeepsMatches(t *testing.T) {
	t.Parallel()
	d := loadMainnet(t)
	var tos []string
	var values []int64
	seen := map[string]bool{}
	for _, b := range d.blocks {
		for _, tx := range b.Transactions {
			for _, op := range tx.Operations {
				to := ""
				switch {
				case op.Payment != nil:
					to = op.Payment.To
					values = append(values, op.Payment.Amount)
				case op.Call != nil:
					to = op.Call.Contract
				}
				if to != "" && !seen[to] && len(tos) < 12 {
					seen[to] = true
					tos = append(tos, to)
				}
			}
		}
	}
	slices.Sort(values)
	exprs := []string{"to == 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7'", "value > 0", "value >= 0", "value > -5"}
	for _, to := range tos {
		exprs = append(exprs, fmt.Sprintf("to == '%s'", to), fmt.Sprintf("to == ' %s ' AND value >= 0", to))
	}
	for _, v := range []int64{values[len(values)-1], values[len(values)-2], values[len(values)/2], values[len(values)-1] + 1} {
		for _, op := range []string{">", ">="} {
			exprs = append(exprs, "value "+op+" "+strconv.FormatInt(v, 10))
		}
	}
	e := monitor.NewEngine()
	compile := func(src string, status ozconfig.TransactionStatus) *monitor.CompiledMonitor {
		x, err := expr.Parse(src)
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		m := &ozconfig.Monitor{Name: src, Networks: []string{"stellar_mainnet"},
			MatchConditions: ozconfig.MatchConditions{Transactions: []ozconfig.TransactionCondition{{Status: status, Expression: src, Expr: x}}}}
		cm, err := monitor.Compile("t", m, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	var preps []*monitor.PreparedBlock
	for _, b := range d.blocks {
		p, err := e.Prepare(b)
		if err != nil {
			t.Fatal(err)
		}
		preps = append(preps, p)
	}
	total := 0
	for _, src := range exprs {
		for _, status := range []ozconfig.TransactionStatus{ozconfig.StatusAny, ozconfig.StatusSuccess, ozconfig.StatusFailure} {
			gated, plain := compile(src, status), compile(src+" OR "+src, status)
			for _, p := range preps {
				got := txHashesOf(t, e, p, gated)
				want := txHashesOf(t, e, p, plain)
				if !slices.Equal(got, want) {
					t.Fatalf("%q (%s) on ledger %d: gated %v, ungated %v", src, status, p.Block.Ledger, got, want)
				}
				total += len(got)
			}
		}
	}
	if total == 0 {
		t.Fatal("no expression matched anything: the test shows nothing")
	}
}

func txHashesOf(t *testing.T, e *monitor.Engine, p *monitor.PreparedBlock, cm *monitor.CompiledMonitor) []string {
	t.Helper()
	ms, err := e.EvaluatePrepared(context.Background(), p, []*monitor.CompiledMonitor{cm})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Transaction.Hash)
	}
	return out
}
