// Package dryrun owns evaluating one unsaved monitor over a ledger range
// without storing or sending anything: `ozmon test-monitor` and the tenant
// API's testMonitor. Ledgers come from the block cache first (when given),
// then from the network's RPC, or from a directory of ledger files.
package dryrun
