package monitor_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// TestArgumentGateKeepsMatches: a monitor whose function and event
// conditions all bound an argument from below is skipped on ledgers where
// no call or event reaches the bound (stellar_arggate.go). Over the 20
// mainnet ledgers it matches exactly the transactions the same expression
// matches when written so that no gate applies (`X OR X`), for thresholds
// at, around and above the values seen.
func TestArgumentGateKeepsMatches(t *testing.T) {
	t.Parallel()
	d := loadMainnet(t)
	type target struct {
		contract, sig, arg string
		event              bool
		values             []*big.Int
	}
	byKey := map[string]*target{}
	var order []string
	add := func(k string, tg target, v *big.Int) {
		if byKey[k] == nil {
			byKey[k] = &tg
			order = append(order, k)
		}
		byKey[k].values = append(byKey[k].values, v)
	}
	for _, b := range d.blocks {
		for _, tx := range b.Transactions {
			for _, ev := range tx.Events {
				sig, ok := testkit.EventSignature(ev)
				if !ok || ev.OpIndex < 0 {
					continue
				}
				for i, a := range append(slices.Clone(ev.Topics[1:]), ev.Data) {
					if n, ok := a.BigInt(); ok {
						add(fmt.Sprint("e", ev.Contract, sig, i), target{contract: ev.Contract, sig: sig, arg: fmt.Sprint(i), event: true}, n)
					}
				}
			}
			for _, op := range tx.Operations {
				c := op.Call
				if c == nil || d.specs[c.Contract] == nil {
					continue
				}
				f := d.specs[c.Contract].Function(c.Function)
				for i, a := range c.Args {
					if n, ok := a.BigInt(); ok && f != nil {
						add(fmt.Sprint("f", c.Contract, f.Signature, i), target{contract: c.Contract, sig: f.Signature, arg: f.Inputs[i].Name}, n)
					}
				}
			}
		}
	}
	specs := func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		return d.specs[contract], nil
	}
	e := monitor.NewEngine()
	var preps []*monitor.PreparedBlock
	for _, b := range d.blocks {
		p, err := e.Prepare(b)
		if err != nil {
			t.Fatal(err)
		}
		preps = append(preps, p)
	}
	compile := func(tg *target, src string) *monitor.CompiledMonitor {
		x, err := expr.Parse(src)
		if err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
		m := &ozconfig.Monitor{Name: src, Networks: []string{"stellar_mainnet"}, Addresses: []ozconfig.MonitorAddress{{Address: tg.contract}}}
		if tg.event {
			m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: tg.sig, Expression: src, Expr: x}}
		} else {
			m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: tg.sig, Expression: src, Expr: x}}
		}
		cm, err := monitor.Compile("t", m, specs)
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	total, checked := 0, 0
	for i, k := range order {
		tg := byKey[k]
		if i%6 != 0 || strings.Contains(tg.sig, "Bytes") {
			continue // a sixth of the targets keeps the test to a second
		}
		slices.SortFunc(tg.values, func(a, b *big.Int) int { return b.Cmp(a) })
		if !tg.values[0].IsInt64() {
			continue
		}
		most := tg.values[0].Int64()
		for _, v := range []int64{most, most - 1, tg.values[len(tg.values)/2].Int64(), most + 1} {
			for _, op := range []string{">", ">="} {
				src := fmt.Sprintf("%s %s %d", tg.arg, op, v)
				gated, plain := compile(tg, src), compile(tg, src+" OR "+src)
				for _, p := range preps {
					got, want := txHashesOf(t, e, p, gated), txHashesOf(t, e, p, plain)
					if !slices.Equal(got, want) {
						t.Fatalf("%s %q on ledger %d: gated %v, ungated %v", tg.sig, src, p.Block.Ledger, got, want)
					}
					total += len(got)
				}
				checked++
			}
		}
	}
	if total == 0 || checked < 20 {
		t.Fatalf("%d matches over %d monitors: the test shows nothing", total, checked)
	}
	t.Logf("%d monitors, %d matches", checked, total)
}
