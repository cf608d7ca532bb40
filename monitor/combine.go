package monitor

import "github.com/ozmon/ozmon/chain"

// combine applies the combination rule (3.8), the same on every chain, to
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
