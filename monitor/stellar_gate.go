package monitor

import (
	"math"
	"strconv"

	"github.com/ozmon/ozmon/monitor/expr"
)

// A Stellar monitor with only transaction conditions has no address gate:
// it sees every transaction of every ledger, and at 100,000 tenants such
// monitors were most of a ledger's evaluation although they almost never
// match (docs/scaling.md). What their expressions require — `to ==
// 'C…'`, `value > N` — is read once at compile time, and a ledger none of
// whose operations can satisfy any of a monitor's conditions is skipped
// for that monitor in constant time. A condition requiring neither keeps
// the monitor evaluated on every transaction, as before.

// txRequirement is what one transaction condition requires of some
// operation's parameters for its expression to hold.
type txRequirement struct {
	to       string // AddressKey of the required `to`; "" when none
	hasBound bool
	bound    int64 // value > bound (strict) or value >= bound
	strict   bool
}

// txGate is a monitor's requirements, one per transaction condition; nil
// when some condition requires nothing (then no ledger can be skipped).
type txGate []txRequirement

func compileTxGate(txs []txCond) txGate {
	if len(txs) == 0 {
		return nil
	}
	g := make(txGate, 0, len(txs))
	for _, tc := range txs {
		if tc.expr == nil {
			return nil
		}
		var r txRequirement
		if key, ok := tc.expr.RequiredAddress("to"); ok {
			r.to = key
		}
		r.bound, r.strict, r.hasBound = tc.expr.RequiredAbove("value")
		if r.to == "" && !r.hasBound {
			return nil
		}
		g = append(g, r)
	}
	return g
}

// ledgerTxFacts is what the gates read of a prepared Stellar ledger.
type ledgerTxFacts struct {
	to       map[string]struct{} // AddressKey of every operation's `to`
	maxValue int64               // the largest `value` any parameter set has
}

func txFactsOf(txOps [][][]expr.Param, txBase [][]expr.Param) ledgerTxFacts {
	f := ledgerTxFacts{to: make(map[string]struct{}, 64), maxValue: math.MinInt64}
	see := func(ps []expr.Param) {
		for _, p := range ps {
			switch p.Name {
			case "to":
				f.to[expr.AddressKey(p.Value)] = struct{}{}
			case "value":
				v, err := strconv.ParseInt(p.Value, 10, 64)
				if err != nil {
					v = math.MaxInt64 // unreadable here: never a reason to skip
				}
				f.maxValue = max(f.maxValue, v)
			}
		}
	}
	for ti := range txOps {
		for _, ps := range txOps[ti] {
			see(ps)
		}
		see(txBase[ti])
	}
	return f
}

// mayMatch reports whether some operation of the ledger can satisfy one
// of the gate's conditions.
func (g txGate) mayMatch(f *ledgerTxFacts) bool {
	if f.to == nil {
		return true // not prepared by Prepare: nothing known
	}
	for i := range g {
		r := &g[i]
		if r.to != "" {
			if _, ok := f.to[r.to]; !ok {
				continue
			}
		}
		if r.hasBound && (f.maxValue < r.bound || r.strict && f.maxValue == r.bound) {
			continue
		}
		return true
	}
	return false
}
