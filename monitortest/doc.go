// Package monitortest runs an OpenZeppelin Monitor monitor over ledger or
// block files and requires or refuses its matches in a Go test: what a
// tenant's CI imports to check a monitor before it goes live.
//
//	func TestLargeTransfers(t *testing.T) {
//		mon, _ := os.ReadFile("monitors/large_transfers.json")
//		ms := monitortest.Stellar(t, string(mon), "testdata/ledger-63092982.xdr.gz")
//		monitortest.RequireMatch(t, ms, monitortest.Tx("5f3a…"))
//		monitortest.RequireNoMatch(t, ms, monitortest.Ledger(63092983))
//	}
//
// Evaluation is the engine's own (package monitor), with no RPC: Stellar
// function calls match only on contracts whose contract_spec the monitor
// carries inline; events and transactions match on any. Trigger
// conditions and triggers are not run.
package monitortest
