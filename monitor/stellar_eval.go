package monitor

import (
	"context"
	"log/slog"
	"slices"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// evalState is one evaluation call's scratch.
type evalState struct {
	engine *Engine
	p      *PreparedBlock
	txs    []int32 // reused buffer of candidate transaction indexes
}

// itemKey names an operation or event of a transaction as resolved against
// one spec (nil: none).
type itemKey struct {
	tx, item int32
	spec     *chain.ContractSpec
}

// call returns the operation's call resolved against the spec, decoding it
// on first use. Two evaluations racing on the same item may both decode
// it; the results are equal and the first stored wins.
func (s *evalState) call(ti, oi int, cs *contractSpec) *resolvedCall {
	p := s.p
	k := itemKey{int32(ti), int32(oi), cs.spec}
	p.mu.Lock()
	rc, ok := p.calls[k]
	p.mu.Unlock()
	if ok {
		return rc
	}
	rc = resolveCall(p.Block.Transactions[ti].Operations[oi].Call, cs)
	p.mu.Lock()
	if prev, ok := p.calls[k]; ok {
		rc = prev
	} else {
		p.calls[k] = rc
	}
	p.mu.Unlock()
	return rc
}

// event is call for events; a nil spec decodes positionally.
func (s *evalState) event(ti, ei int, cs *contractSpec) *decodedEvent {
	p := s.p
	k := itemKey{tx: int32(ti), item: int32(ei)}
	if cs != nil {
		k.spec = cs.spec
	}
	p.mu.Lock()
	de, ok := p.events[k]
	p.mu.Unlock()
	if ok {
		return de
	}
	de = decodeEvent(&p.Block.Transactions[ti].Events[ei], cs)
	p.mu.Lock()
	if prev, ok := p.events[k]; ok {
		de = prev
	} else {
		p.events[k] = de
	}
	p.mu.Unlock()
	return de
}

// evaluateMonitor appends the monitor's matches, in ledger order.
func (s *evalState) evaluateMonitor(cm *CompiledMonitor, out []*Match) []*Match {
	b := s.p.Block
	if cm.everyTransaction() {
		for ti := range b.Transactions {
			if m := s.evaluateTx(cm, ti); m != nil {
				out = append(out, m)
			}
		}
		return out
	}
	// Function and event conditions can only match a transaction that
	// touches a watched contract, so only those are visited.
	s.txs = s.txs[:0]
	for _, a := range cm.addrList {
		s.txs = append(s.txs, s.p.byContract[a]...)
	}
	if len(s.txs) == 0 {
		return out
	}
	if len(cm.addrList) > 1 {
		slices.Sort(s.txs)
		s.txs = slices.Compact(s.txs)
	}
	for _, ti := range s.txs {
		if m := s.evaluateTx(cm, int(ti)); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// evaluateTx applies one monitor to one transaction: functions (3.5),
// events (3.6), transaction conditions (3.7) and the combination rule
// (3.8). It allocates only when something matches.
func (s *evalState) evaluateTx(cm *CompiledMonitor, ti int) *Match {
	b := s.p.Block
	tx := &b.Transactions[ti]
	hasF, hasE := len(cm.functions) > 0, len(cm.events) > 0

	var funcs []FunctionMatch
	var fargs []ArgsEntry
	if hasF {
		for oi, addr := range s.p.callAddr[ti] {
			if addr == "" {
				continue
			}
			if _, ok := cm.addrs[addr]; !ok {
				continue
			}
			cs := cm.spec(b.Network, addr)
			if cs == nil {
				continue // no spec: functions never match (quirk 3.11.1)
			}
			rc := s.call(ti, oi, cs)
			if !rc.ok {
				continue
			}
			for i := range cm.functions {
				fc := &cm.functions[i]
				if fc.sigNorm != rc.sigNorm || !s.holds(cm, fc.expr, rc.params, tx) {
					continue
				}
				funcs = append(funcs, FunctionMatch{Signature: rc.signature, Expression: fc.text})
				fargs = append(fargs, ArgsEntry{Signature: rc.signature, Args: rc.args})
				break // the first matching condition wins for a call
			}
		}
	}

	var evs []EventMatch
	var eargs []ArgsEntry
	if hasE {
		for ei, addr := range s.p.eventAddr[ti] {
			if addr == "" {
				continue
			}
			if _, ok := cm.addrs[addr]; !ok {
				continue
			}
			de := s.event(ti, ei, cm.spec(b.Network, addr))
			if !de.ok {
				continue
			}
			// Every matching condition is recorded (no break), and the
			// arguments always go with it, so that events.N.args pairs
			// with events.N.signature (ozmon's fix 10.6).
			for i := range cm.events {
				ec := &cm.events[i]
				if ec.sigNorm != de.sigNorm || !s.holds(cm, ec.expr, de.params, tx) {
					continue
				}
				evs = append(evs, EventMatch{Signature: de.signature, Expression: ec.text})
				eargs = append(eargs, ArgsEntry{Signature: de.signature, Args: de.args})
			}
		}
	}

	return combine(cm, b, tx, funcs, fargs, evs, eargs, func() []TransactionMatch { return s.transactionMatches(cm, ti) })
}

// transactionMatches applies the transaction conditions (3.7). The status
// recorded is the transaction's own; an expression is tried against each
// payment or invocation in turn.
func (s *evalState) transactionMatches(cm *CompiledMonitor, ti int) []TransactionMatch {
	tx := &s.p.Block.Transactions[ti]
	status := StatusFailure
	if tx.Success {
		status = StatusSuccess
	}
	var out []TransactionMatch
	for i := range cm.txs {
		tc := &cm.txs[i]
		if tc.status != StatusAny && tc.status != status {
			continue
		}
		if tc.expr == nil {
			out = append(out, TransactionMatch{Status: string(status)})
			break
		}
		ops := s.p.txOps[ti]
		if len(ops) == 0 {
			if s.holds(cm, tc.expr, s.p.txBase[ti], tx) {
				out = append(out, TransactionMatch{Status: string(status), Expression: tc.text})
				break
			}
			continue
		}
		for _, params := range ops {
			if s.holds(cm, tc.expr, params, tx) {
				// The next condition is still tried, as in the original.
				out = append(out, TransactionMatch{Status: string(status), Expression: tc.text})
				break
			}
		}
	}
	return out
}

// holds evaluates a condition's expression; no expression holds. An
// evaluation error is "no match" and is logged at debug level.
func (s *evalState) holds(cm *CompiledMonitor, e *expr.Expr, params []expr.Param, tx *chain.Transaction) bool {
	if e == nil {
		return true
	}
	ok, err := e.Eval(params, s.engine.cmp)
	if err != nil {
		if l := s.engine.log; l != nil && l.Enabled(context.Background(), slog.LevelDebug) {
			l.Debug("expression did not evaluate; condition does not match",
				"tenant", cm.TenantID, "monitor", cm.Name, "network", s.p.Block.Network,
				"ledger", s.p.Block.Ledger, "tx", tx.Hash, "expression", e.String(), "err", err)
		}
		return false
	}
	return ok
}
