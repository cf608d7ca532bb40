package monitor

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// evalState is one evaluation call's scratch, the same on every chain.
type evalState struct {
	engine *Engine
	p      *PreparedBlock
	cmp    expr.Comparator // the block's chain's comparison rules
	txs    []int32         // reused buffer of candidate transaction indexes
}

// gate returns the transactions, ascending and each once, that index lists
// under an address the monitor watches: the only ones its function and
// event conditions can match. The slice is s.txs, reused.
func (s *evalState) gate(cm *CompiledMonitor, index map[string][]int32) []int32 {
	s.txs = s.txs[:0]
	for _, a := range cm.addrList {
		s.txs = append(s.txs, index[a]...)
	}
	if len(cm.addrList) > 1 {
		slices.Sort(s.txs)
		s.txs = slices.Compact(s.txs)
	}
	return s.txs
}

// watchesNormalized reports whether the monitor watches a normalized
// address. Most monitors watch one or two addresses, for which comparing
// strings beats hashing them, and this runs for every log of every gated
// transaction.
func (cm *CompiledMonitor) watchesNormalized(addr string) bool {
	if len(cm.addrList) <= 4 {
		for _, a := range cm.addrList {
			if a == addr {
				return true
			}
		}
		return false
	}
	_, ok := cm.addrs[addr]
	return ok
}

// lazy looks k up in cache, building the value outside the lock on a miss.
// Two evaluations racing on an item may both build it; the results are
// equal and the first stored wins.
func lazy[K comparable, V any](mu *sync.Mutex, cache map[K]V, k K, build func() V) V {
	mu.Lock()
	v, ok := cache[k]
	mu.Unlock()
	if ok {
		return v
	}
	v = build()
	mu.Lock()
	if prev, ok := cache[k]; ok {
		v = prev
	} else {
		cache[k] = v
	}
	mu.Unlock()
	return v
}

// holds evaluates a condition's expression with the chain's comparison
// rules; no expression holds. An evaluation error is "no match" and is
// logged at debug level.
func (s *evalState) holds(cm *CompiledMonitor, e *expr.Expr, params []expr.Param, tx *chain.Transaction) bool {
	if e == nil {
		return true
	}
	ok, err := e.Eval(params, s.cmp)
	if err != nil {
		if l := s.engine.log; l != nil && l.Enabled(context.Background(), slog.LevelDebug) {
			seq := "ledger"
			switch {
			case s.p.evm != nil:
				seq = "block"
			case s.p.sol != nil:
				seq = "slot"
			}
			l.Debug("expression did not evaluate; condition does not match",
				"tenant", cm.TenantID, "monitor", cm.Name, "network", s.p.Block.Network,
				seq, s.p.Block.Ledger, "tx", tx.Hash, "expression", e.String(), "err", err)
		}
		return false
	}
	return ok
}

// combine applies the combination rule (docs/compatibility.md#combination-rule),
// the same on every chain, to
// what one transaction matched, and builds the Match; nil when the monitor
// does not match. txMatches runs only when the function and event
// conditions allow a match, so transaction expressions are not evaluated
// for nothing.
func combine(cm *CompiledMonitor, b *chain.Block, tx *chain.Transaction,
	funcs []FunctionMatch, fargs []ArgsEntry, evs []EventMatch, eargs []ArgsEntry,
	txMatches func() []TransactionMatch) *Match {
	hasF, hasE, hasT := len(cm.functions) > 0, len(cm.events) > 0, len(cm.txs) > 0
	if (hasF || hasE) && !(hasF && len(funcs) > 0) && !(hasE && len(evs) > 0) {
		return nil
	}
	var txm []TransactionMatch
	if hasT {
		if txm = txMatches(); len(txm) == 0 {
			return nil
		}
	}
	m := &Match{
		TenantID:        cm.TenantID,
		MonitorName:     cm.Name,
		Network:         b.Network,
		Ledger:          b.Ledger,
		LedgerHash:      b.Hash,
		LedgerCloseTime: b.CloseTime,
		Transaction:     tx,
		Monitor:         cm,
		MatchedOn: MatchedOn{
			Functions:    []FunctionMatch{},
			Events:       []EventMatch{},
			Transactions: []TransactionMatch{},
		},
	}
	if hasF && len(funcs) > 0 {
		m.MatchedOn.Functions, m.MatchedOnArgs.Functions = funcs, fargs
	}
	if hasE && len(evs) > 0 {
		m.MatchedOn.Events, m.MatchedOnArgs.Events = evs, eargs
	}
	if hasT {
		m.MatchedOn.Transactions = txm
	}
	return m
}
