package monitor

import "github.com/ozmon/ozmon/monitor/ozconfig"

// NeedsReceipt reports whether evaluating the monitor on an EVM block needs
// the transactions' receipts: some transaction condition selects a status
// (Success or Failure), or some transaction expression references
// gas_used. The original skips the receipts for a status condition when
// the block has logs and then assumes Success; ozmon fetches them so that
// a failed transaction is never reported as successful.
func (cm *CompiledMonitor) NeedsReceipt() bool {
	for i := range cm.txs {
		tc := &cm.txs[i]
		if tc.status != ozconfig.StatusAny {
			return true
		}
		if tc.expr != nil && tc.expr.HasVar("gas_used") {
			return true
		}
	}
	return false
}

// NeedsReceipts reports whether any of the monitors (e.g. a block's
// candidates from Index.Candidates) needs receipts: the pipeline then
// fetches them for every transaction of the block before evaluating.
// Paused monitors need nothing.
func NeedsReceipts(monitors []*CompiledMonitor) bool {
	for _, cm := range monitors {
		if cm != nil && !cm.Paused && cm.NeedsReceipt() {
			return true
		}
	}
	return false
}
