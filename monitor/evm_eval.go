package monitor

import "github.com/ozmon/ozmon/monitor/expr"
import "github.com/ozmon/ozmon/monitor/ozconfig"

// evaluateEVMMonitor appends the monitor's matches on an EVM block, in
// block order. Every EVM monitor is gated by its addresses
// (docs/compatibility.md#evm-matching): only
// transactions whose sender, recipient or a log emitter is watched are
// visited.
func (s *evalState) evaluateEVMMonitor(cm *CompiledMonitor, out []*Match) []*Match {
	for _, ti := range s.gate(cm, s.p.evm.byAddr) {
		if m := s.evaluateEVMTx(cm, int(ti)); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// evaluateEVMTx applies one monitor to one gated transaction: the
// top-level call, the logs of watched contracts, the transaction
// conditions, then the combination rule (docs/compatibility.md#combination-rule).
func (s *evalState) evaluateEVMTx(cm *CompiledMonitor, ti int) *Match {
	b := s.p.Block
	tx := &b.Transactions[ti]
	if tx.EVM == nil {
		return nil
	}
	var funcs []FunctionMatch
	var fargs []ArgsEntry
	if len(cm.functions) > 0 {
		funcs, fargs = s.evmFunctionMatches(cm, ti)
	}
	var evs []EventMatch
	var eargs []ArgsEntry
	if len(cm.events) > 0 {
		evs, eargs = s.evmEventMatches(cm, ti)
	}
	return combine(cm, b, tx, funcs, fargs, evs, eargs, func() []TransactionMatch { return s.evmTransactionMatches(cm, ti) })
}

// evmFunctionMatches matches the top-level call only (internal calls are
// invisible, as in the original): the recipient must be watched and have
// an ABI knowing the selector; the first condition whose signature and
// expression fit wins. hex_signature is "0x"+selector when an expression
// decided, the bare selector otherwise (the original's inconsistency,
// which its fixtures assert).
func (s *evalState) evmFunctionMatches(cm *CompiledMonitor, ti int) ([]FunctionMatch, []ArgsEntry) {
	to := s.p.evm.to[ti]
	if to == "" || !cm.watchesNormalized(to) {
		return nil, nil
	}
	abi := cm.abi(s.p.Block.Network, to)
	if abi == nil {
		return nil, nil
	}
	d := s.evmCall(ti, abi)
	if !d.ok {
		return nil, nil
	}
	tx := &s.p.Block.Transactions[ti]
	for i := range cm.functions {
		fc := &cm.functions[i]
		if fc.sigNorm != d.sigNorm || !s.holds(cm, fc.expr, d.params, tx) {
			continue
		}
		hexSig := d.selector
		if fc.expr != nil {
			hexSig = "0x" + d.selector
		}
		return []FunctionMatch{{Signature: d.signature, Expression: fc.text}},
			[]ArgsEntry{{Signature: d.signature, Args: d.args, HexSignature: hexSig}}
	}
	return nil, nil
}

// evmEventMatches matches the logs of watched contracts that have an ABI,
// in log order. Per log the conditions with its signature are tried in
// order and the first that holds records it, with its arguments.
func (s *evalState) evmEventMatches(cm *CompiledMonitor, ti int) ([]EventMatch, []ArgsEntry) {
	tx := &s.p.Block.Transactions[ti]
	var evs []EventMatch
	var eargs []ArgsEntry
	var abis map[string]*evmABI // looked up once, on the first watched log
	for li, addr := range s.p.evm.logAddr[ti] {
		if !cm.watchesNormalized(addr) {
			continue
		}
		if abis == nil {
			if abis = cm.abis[s.p.Block.Network]; abis == nil {
				return nil, nil // no ABI at all on this network
			}
		}
		abi := abis[addr]
		if abi == nil {
			continue
		}
		if len(tx.EVM.Logs[li].Topics) == 0 {
			continue // anonymous log: no selector to find the event by
		}
		d := s.evmLog(ti, li, abi)
		if !d.ok {
			continue
		}
		for i := range cm.events {
			ec := &cm.events[i]
			if ec.sigNorm != d.sigNorm || !s.holds(cm, ec.expr, d.params, tx) {
				continue
			}
			evs = append(evs, EventMatch{Signature: d.signature, Expression: ec.text})
			eargs = append(eargs, ArgsEntry{Signature: d.signature, Args: d.args, HexSignature: "0x" + d.selector})
			break
		}
	}
	return evs, eargs
}

// evmTransactionMatches applies the transaction conditions: the first whose
// status fits and whose expression holds is recorded, with the
// transaction's real status (from its receipt; assumed Success without
// one, as in the original).
func (s *evalState) evmTransactionMatches(cm *CompiledMonitor, ti int) []TransactionMatch {
	tx := &s.p.Block.Transactions[ti]
	status := ozconfig.StatusSuccess
	if r := tx.EVM.Receipt; r != nil && r.Status != 1 {
		status = ozconfig.StatusFailure
	}
	for i := range cm.txs {
		tc := &cm.txs[i]
		if tc.status != ozconfig.StatusAny && tc.status != status {
			continue
		}
		if tc.expr != nil && !s.holds(cm, tc.expr, s.evmParams(ti), tx) {
			continue
		}
		return []TransactionMatch{{Status: string(status), Expression: tc.text}}
	}
	return nil
}

// evmCall returns the transaction's input decoded by the ABI, decoding it
// on first use; every monitor sharing the decoder shares the result.
func (s *evalState) evmCall(ti int, abi *evmABI) *evmDecoded {
	p := s.p
	return lazy(&p.mu, p.evm.calls, evmItemKey{tx: int32(ti), item: -1, abi: abi.key}, func() *evmDecoded {
		in := p.Block.Transactions[ti].EVM.Input
		if len(in) < 4 {
			return &evmDecoded{}
		}
		return newEVMDecoded(abi.dec.DecodeCall(in))
	})
}

// evmLog is evmCall for a log.
func (s *evalState) evmLog(ti, li int, abi *evmABI) *evmDecoded {
	p := s.p
	return lazy(&p.mu, p.evm.logs, evmItemKey{tx: int32(ti), item: int32(li), abi: abi.key}, func() *evmDecoded {
		l := &p.Block.Transactions[ti].EVM.Logs[li]
		return newEVMDecoded(abi.dec.DecodeLog(l.Topics, l.Data))
	})
}

// evmParams returns the transaction's expression parameters, built once.
func (s *evalState) evmParams(ti int) []expr.Param {
	p := s.p
	return lazy(&p.mu, p.evm.params, int32(ti), func() []expr.Param {
		return evmTransactionParams(&p.Block.Transactions[ti])
	})
}
