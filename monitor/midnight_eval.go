package monitor

import (
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// midnightBlock is what every Midnight monitor evaluation needs, computed
// once per block: each transaction's status (from the block's applied
// events) and its calls as (contract, circuit name) pairs.
type midnightBlock struct {
	success    []bool
	calls      [][]midnightCall
	byContract map[string][]int32 // called contract → tx indexes, ascending, each once
}

type midnightCall struct {
	address string // chain.MidnightAddressKey form
	key     string // midnightNameKey of the circuit name
	name    string // the circuit name as decoded
}

func prepareMidnight(b *chain.Block) *midnightBlock {
	applied := map[string]bool{}
	if b.Midnight != nil {
		for i := range b.Midnight.Events {
			if ev := &b.Midnight.Events[i]; ev.Applied() {
				applied[ev.TxHash] = true
			}
		}
	}
	mb := &midnightBlock{success: make([]bool, len(b.Transactions)), calls: make([][]midnightCall, len(b.Transactions)),
		byContract: map[string][]int32{}}
	for ti := range b.Transactions {
		tx := &b.Transactions[ti]
		if tx.Midnight == nil {
			continue
		}
		mb.success[ti] = applied[chain.MidnightHashKey(tx.Midnight.TxHash)]
		for oi := range tx.Midnight.Operations {
			op := &tx.Midnight.Operations[oi]
			if op.Kind != chain.MidnightCall {
				continue // Deploy and Maintain have no circuit name
			}
			name, ok := op.EntryPointName()
			if !ok {
				continue // undecodable entry point: dropped, as in OZ
			}
			addr := chain.MidnightAddressKey(op.Address)
			mb.calls[ti] = append(mb.calls[ti], midnightCall{address: addr, key: midnightNameKey(name), name: name})
			if l := mb.byContract[addr]; len(l) == 0 || l[len(l)-1] != int32(ti) {
				mb.byContract[addr] = append(l, int32(ti))
			}
		}
	}
	return mb
}

// evaluateMidnightMonitor appends the monitor's matches on a Midnight
// block, in body order (docs/compatibility.md#midnight): function
// conditions by (contract, circuit name), events never (QM2), transaction
// conditions by status with expressions ignored (QM1), no address gate
// for transaction-only and condition-less monitors (QM4), and the
// EVM/Stellar combination rule.
func (s *evalState) evaluateMidnightMonitor(cm *CompiledMonitor, out []*Match) []*Match {
	if cm.mid == nil {
		return out // compiled for another chain
	}
	if len(cm.mid.functions) > 0 {
		// Events never match (QM2), so only a function can make a match:
		// only transactions calling a watched contract can.
		for _, ti := range s.gate(cm, s.p.mid.byContract) {
			if m := s.evaluateMidnightTx(cm, int(ti)); m != nil {
				out = append(out, m)
			}
		}
		return out
	}
	for ti := range s.p.Block.Transactions {
		if m := s.evaluateMidnightTx(cm, ti); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func (s *evalState) evaluateMidnightTx(cm *CompiledMonitor, ti int) *Match {
	b := s.p.Block
	tx := &b.Transactions[ti]
	if tx.Midnight == nil {
		return nil
	}
	hasF, hasE, hasT := len(cm.mid.functions) > 0, len(cm.events) > 0, len(cm.txs) > 0
	var funcs []FunctionMatch
	var fargs []ArgsEntry
	if hasF {
		calls := s.p.mid.calls[ti]
		for i := range cm.mid.functions {
			fc := &cm.mid.functions[i]
			for _, c := range calls {
				if _, watched := cm.addrs[c.address]; !watched || c.key != fc.key {
					continue
				}
				funcs = append(funcs, FunctionMatch{Signature: fc.sig, Expression: fc.text})
				fargs = append(fargs, ArgsEntry{Signature: fc.sig, HexSignature: c.name})
				break
			}
		}
	}
	var txm []TransactionMatch
	if hasT {
		status := ozconfig.StatusFailure
		if s.p.mid.success[ti] {
			status = ozconfig.StatusSuccess
		}
		for i := range cm.txs {
			if st := cm.txs[i].status; st == ozconfig.StatusAny || st == status {
				txm = append(txm, TransactionMatch{Status: string(status)})
				break
			}
		}
	}
	fe := len(funcs) > 0 // events never match (QM2)
	var ok bool
	switch {
	case !hasF && !hasE && !hasT:
		ok = true
	case !hasF && !hasE:
		ok = len(txm) > 0
	case !hasT:
		ok = fe
	default:
		ok = fe && len(txm) > 0
	}
	if !ok {
		return nil
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
		MatchedOn:       MatchedOn{Functions: funcs, Transactions: txm},
	}
	if len(funcs) > 0 {
		m.MatchedOnArgs.Functions = fargs
	}
	return m
}
