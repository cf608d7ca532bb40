package monitor

import "github.com/ozmon/ozmon/chain"
import "github.com/ozmon/ozmon/monitor/ozconfig"

// itemKey names an operation or event of a transaction as resolved against
// one spec (nil: none).
type itemKey struct {
	tx, item int32
	spec     *chain.ContractSpec
}

// call returns the operation's call resolved against the spec, decoding it
// on first use.
func (s *evalState) call(ti, oi int, cs *contractSpec) *resolvedCall {
	p := s.p
	return lazy(&p.mu, p.calls, itemKey{int32(ti), int32(oi), cs.spec}, func() *resolvedCall {
		return resolveCall(p.Block.Transactions[ti].Operations[oi].Call, cs)
	})
}

// event is call for events; a nil spec decodes positionally.
func (s *evalState) event(ti, ei int, cs *contractSpec) *decodedEvent {
	p := s.p
	k := itemKey{tx: int32(ti), item: int32(ei)}
	if cs != nil {
		k.spec = cs.spec
	}
	return lazy(&p.mu, p.events, k, func() *decodedEvent {
		return decodeEvent(&p.Block.Transactions[ti].Events[ei], cs)
	})
}

// evaluateMonitor appends the monitor's matches, in ledger order.
func (s *evalState) evaluateMonitor(cm *CompiledMonitor, out []*Match) []*Match {
	b := s.p.Block
	if cm.everyTransaction() {
		if cm.txGate != nil && !cm.txGate.mayMatch(&s.p.txFacts) {
			return out // no operation of the ledger can satisfy a condition
		}
		for ti := range b.Transactions {
			if m := s.evaluateTx(cm, ti); m != nil {
				out = append(out, m)
			}
		}
		return out
	}
	// Function and event conditions can only match a transaction that
	// touches a watched contract, so only those are visited.
	if cm.argGate && !s.argsMayMatch(cm) {
		return out // no call or event of the ledger reaches a condition's bound
	}
	for _, ti := range s.gate(cm, s.p.byContract) {
		if m := s.evaluateTx(cm, int(ti)); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// evaluateTx applies one monitor to one transaction: functions, events,
// transaction conditions and the combination rule (docs/compatibility.md#stellar-matching).
// It allocates only when something matches.
func (s *evalState) evaluateTx(cm *CompiledMonitor, ti int) *Match {
	var funcs []FunctionMatch
	var fargs []ArgsEntry
	if len(cm.functions) > 0 {
		funcs, fargs = s.functionMatches(cm, ti)
	}
	var evs []EventMatch
	var eargs []ArgsEntry
	if len(cm.events) > 0 {
		evs, eargs = s.eventMatches(cm, ti)
	}
	b := s.p.Block
	return combine(cm, b, &b.Transactions[ti], funcs, fargs, evs, eargs, func() []TransactionMatch { return s.transactionMatches(cm, ti) })
}

// functionMatches matches the calls to watched contracts, in operation
// order; per call the first condition that fits wins.
func (s *evalState) functionMatches(cm *CompiledMonitor, ti int) ([]FunctionMatch, []ArgsEntry) {
	b := s.p.Block
	tx := &b.Transactions[ti]
	var funcs []FunctionMatch
	var fargs []ArgsEntry
	for oi, addr := range s.p.callAddr[ti] {
		if !cm.watchesNormalized(addr) {
			continue // not a call ("") or not watched
		}
		cs := cm.spec(b.Network, addr)
		if cs == nil {
			continue // no spec: functions never match (docs/compatibility.md#quirks-we-keep)
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
	return funcs, fargs
}

// eventMatches matches the events of watched contracts, in event order.
// Every matching condition is recorded (no break), and the arguments
// always go with it, so that events.N.args pairs with events.N.signature
// (ozmon's fix 10.6).
func (s *evalState) eventMatches(cm *CompiledMonitor, ti int) ([]EventMatch, []ArgsEntry) {
	b := s.p.Block
	tx := &b.Transactions[ti]
	var evs []EventMatch
	var eargs []ArgsEntry
	for ei, addr := range s.p.eventAddr[ti] {
		if !cm.watchesNormalized(addr) {
			continue
		}
		de := s.event(ti, ei, cm.spec(b.Network, addr))
		if !de.ok {
			continue
		}
		for i := range cm.events {
			ec := &cm.events[i]
			if ec.sigNorm != de.sigNorm || !s.holds(cm, ec.expr, de.params, tx) {
				continue
			}
			evs = append(evs, EventMatch{Signature: de.signature, Expression: ec.text})
			eargs = append(eargs, ArgsEntry{Signature: de.signature, Args: de.args})
		}
	}
	return evs, eargs
}

// transactionMatches applies the transaction conditions
// (docs/compatibility.md#transaction-conditions). The status
// recorded is the transaction's own; an expression is tried against each
// payment or invocation in turn.
func (s *evalState) transactionMatches(cm *CompiledMonitor, ti int) []TransactionMatch {
	tx := &s.p.Block.Transactions[ti]
	status := ozconfig.StatusFailure
	if tx.Success {
		status = ozconfig.StatusSuccess
	}
	var out []TransactionMatch
	for i := range cm.txs {
		tc := &cm.txs[i]
		if tc.status != ozconfig.StatusAny && tc.status != status {
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
