// Package solana reads Solana slots over JSON-RPC with endpoint failover
// and decodes them into chain.Block in OpenZeppelin Monitor's Solana model.
//
// Source is what the pipeline uses: Tip is one getSlot at commitment
// finalized, FetchBlock one getBlock per slot (json encoding, full
// transaction details, version-0 transactions with their lookup-table
// accounts, no rewards), shared by every tenant. A skipped slot (JSON-RPC
// −32007 or −32009, or a null block, from every endpoint) is not an error:
// FetchBlock returns an empty block marked Solana.Skipped, so it is cached
// and never fetched again, and Source.OnSkipped counts it. −32004 ("block
// not available yet") is retried like any transient failure.
//
// Why no getBlocks: the pipeline fetches one slot per task, so the slot
// list of a range would cost a call per tick and save only the getBlock
// of each skipped slot (≈5–10 % of slots), which answers −32007 just as
// cheaply; the answer per slot is also the truth for that slot (QS14).
//
// DecodeBlock turns a getBlock result into a chain.Block by OpenZeppelin
// Monitor's parsing rules (spec 13.3): malformed parts are dropped one by
// one, never the whole block, except that the QS18 fix applies (a null
// meta is a failed transaction) and lookup-table accounts are kept (QS10).
// EncodeBlock is its inverse, used by simulators and tests.
package solana
