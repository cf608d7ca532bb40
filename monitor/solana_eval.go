package monitor

import (
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// evaluateSolanaMonitor appends the monitor's matches on a Solana block,
// in block order. Every Solana monitor is gated by its program ids (QS9):
// only transactions that invoke one of them, top-level or inner, are
// visited.
func (s *evalState) evaluateSolanaMonitor(cm *CompiledMonitor, out []*Match) []*Match {
	if cm.sol == nil {
		return out // compiled for another chain: it watches no program
	}
	for _, ti := range s.gate(cm, s.p.sol.byProgram) {
		if m := s.evaluateSolanaTx(cm, int(ti)); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// evaluateSolanaTx applies one monitor to one gated transaction with
// Solana's combination rule (docs/compatibility.md#solana-matching):
// every configured kind must match — functions (ours, QS1), events and
// transactions. matched_on.transactions always has an entry and
// matched_on_args is never null (QS6).
func (s *evalState) evaluateSolanaTx(cm *CompiledMonitor, ti int) *Match {
	b := s.p.Block
	tx := &b.Transactions[ti]
	if tx.Solana == nil {
		return nil
	}
	sm := cm.sol
	funcs, fargs := []FunctionMatch{}, []ArgsEntry{}
	if len(sm.functions) > 0 {
		if funcs, fargs = s.solanaFunctionMatches(cm, ti); len(funcs) == 0 {
			return nil
		}
	}
	evs, eargs := []EventMatch{}, []ArgsEntry{}
	if len(sm.events) > 0 {
		if evs, eargs = s.solanaEventMatches(cm, ti); len(evs) == 0 {
			return nil
		}
	}
	txm := s.solanaTransactionMatches(cm, ti)
	if len(txm) == 0 {
		return nil
	}
	return &Match{
		TenantID:        cm.TenantID,
		MonitorName:     cm.Name,
		Network:         b.Network,
		Ledger:          b.Ledger,
		LedgerHash:      b.Hash,
		LedgerCloseTime: b.CloseTime,
		Transaction:     tx,
		Monitor:         cm,
		MatchedOn:       MatchedOn{Functions: funcs, Events: evs, Transactions: txm},
		MatchedOnArgs:   MatchedOnArgs{Functions: fargs, Events: eargs},
		block:           b,
	}
}

// solanaFunctionMatches decodes the instructions of the monitor's programs
// that have an IDL, top-level then inner, and records each one that a
// condition names (the first such condition whose expression holds on its
// arguments): ozmon's implementation of Solana function conditions (QS1).
func (s *evalState) solanaFunctionMatches(cm *CompiledMonitor, ti int) ([]FunctionMatch, []ArgsEntry) {
	var funcs []FunctionMatch
	var fargs []ArgsEntry
	tx := &s.p.Block.Transactions[ti]
	for ii, x := range s.p.sol.ixs[ti] {
		idl := cm.sol.idls[x.program]
		if idl == nil {
			continue
		}
		d := s.solanaCall(ti, ii, idl, cm.sol.idlKeys[x.program])
		if !d.ok {
			continue
		}
		for i := range cm.sol.functions {
			fc := &cm.sol.functions[i]
			if (fc.name != d.name && fc.key != d.key) ||
				(fc.sig != "" && !ozconfig.SolanaSameSignature(fc.sig, d.signature)) ||
				!s.holds(cm, fc.expr, d.params, tx) {
				continue
			}
			funcs = append(funcs, FunctionMatch{Signature: d.signature, Expression: fc.text})
			fargs = append(fargs, ArgsEntry{Signature: d.signature, Args: d.args})
			break
		}
	}
	return funcs, fargs
}

// solanaEventMatches applies the event conditions in order; each records
// at most once (QS5). A condition naming an IDL event matches the first
// such event a monitored program emitted whose fields satisfy its
// expression; any other condition is OpenZeppelin Monitor's search of the
// log lines for its text (QS3, QS4), expression ignored (QS2).
func (s *evalState) solanaEventMatches(cm *CompiledMonitor, ti int) ([]EventMatch, []ArgsEntry) {
	tx := &s.p.Block.Transactions[ti]
	var logs []string
	if m := tx.Solana.Meta; m != nil {
		logs = m.LogMessages
	}
	if len(logs) == 0 {
		return nil, nil
	}
	var evs []EventMatch
	var eargs []ArgsEntry
	for i := range cm.sol.events {
		ec := &cm.sol.events[i]
		if ec.idl {
			if d := s.solanaEvent(cm, ti, ec, tx); d != nil {
				evs = append(evs, EventMatch{Signature: d.signature, Expression: ec.text})
				eargs = append(eargs, ArgsEntry{Signature: d.signature, Args: d.args})
			}
			continue
		}
		for _, line := range logs {
			if strings.Contains(line, ec.pattern) {
				evs = append(evs, EventMatch{Signature: ec.sig})
				eargs = append(eargs, ArgsEntry{Signature: ec.sig, Args: []Arg{{Name: "log", Value: line, Kind: "string"}}})
				break
			}
		}
	}
	return evs, eargs
}

// solanaEvent finds the first Anchor event named by the condition among
// the transaction's "Program data:" lines of monitored programs.
func (s *evalState) solanaEvent(cm *CompiledMonitor, ti int, ec *solanaEventCond, tx *chain.Transaction) *solanaDecoded {
	for di, d := range s.solanaData(ti) {
		idl := cm.sol.idls[d.program]
		if idl == nil {
			continue
		}
		ev := s.solanaDecodedEvent(ti, di, idl, cm.sol.idlKeys[d.program])
		if ev.ok && ev.name == ec.pattern && s.holds(cm, ec.expr, ev.params, tx) {
			return ev
		}
	}
	return nil
}

// solanaTransactionMatches applies the transaction conditions as
// OpenZeppelin Monitor does (QS7): without conditions the entry is
// {Any, null}; a condition without expression whose status fits records
// its configured status and the loop goes on; one with an expression
// that holds records the real status and ends it.
func (s *evalState) solanaTransactionMatches(cm *CompiledMonitor, ti int) []TransactionMatch {
	if len(cm.txs) == 0 {
		return []TransactionMatch{{Status: string(ozconfig.StatusAny)}}
	}
	tx := &s.p.Block.Transactions[ti]
	status := ozconfig.StatusSuccess
	if tx.Solana.Failed() {
		status = ozconfig.StatusFailure
	}
	var out []TransactionMatch
	for i := range cm.txs {
		tc := &cm.txs[i]
		if tc.status != ozconfig.StatusAny && tc.status != status {
			continue
		}
		if tc.expr == nil {
			out = append(out, TransactionMatch{Status: string(tc.status)})
			continue
		}
		if s.holds(cm, tc.expr, s.solanaParams(ti), tx) {
			out = append(out, TransactionMatch{Status: string(status), Expression: tc.text})
			break
		}
	}
	return out
}

// solanaParams returns the transaction's expression parameters, built once.
func (s *evalState) solanaParams(ti int) []expr.Param {
	p := s.p
	return lazy(&p.mu, p.sol.params, int32(ti), func() []expr.Param {
		return solanaTransactionParams(p.Block.Transactions[ti].Solana)
	})
}

// solanaData returns the transaction's "Program data:" lines, read once.
func (s *evalState) solanaData(ti int) []solanaData {
	p := s.p
	return lazy(&p.mu, p.sol.data, int32(ti), func() []solanaData {
		if m := p.Block.Transactions[ti].Solana.Meta; m != nil {
			return solanaProgramData(m.LogMessages)
		}
		return nil
	})
}

// solanaCall returns instruction ii of the transaction decoded by the IDL,
// decoding it on first use.
func (s *evalState) solanaCall(ti, ii int, idl *ozconfig.SolanaIDL, key [32]byte) *solanaDecoded {
	p := s.p
	return lazy(&p.mu, p.sol.calls, solanaItemKey{tx: int32(ti), item: int32(ii), idl: key}, func() *solanaDecoded {
		return decodeSolanaInstruction(p.sol.ixs[ti][ii].ix.Data, idl)
	})
}

// solanaDecodedEvent is solanaCall for data line di.
func (s *evalState) solanaDecodedEvent(ti, di int, idl *ozconfig.SolanaIDL, key [32]byte) *solanaDecoded {
	p := s.p
	return lazy(&p.mu, p.sol.events, solanaItemKey{tx: int32(ti), item: int32(di), idl: key}, func() *solanaDecoded {
		return decodeSolanaEvent(s.solanaData(ti)[di].bytes, idl)
	})
}
