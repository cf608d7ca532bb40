// Package midnight reads Midnight blocks over the node's WebSocket
// JSON-RPC and decodes them into chain.Block in OpenZeppelin Monitor's
// Midnight model (spec section 17).
//
// Client keeps one WebSocket connection and serialises requests on it (one
// in flight, ids from 1, frames with other ids skipped, each frame awaited
// at most the message timeout); a failed send, a timeout or a closed
// socket rotates to the next endpoint by weight and retries, while a
// JSON-RPC error answer is returned as it is, without rotating (QM8).
//
// Source is what the pipeline uses: Tip is chain_getFinalisedHead and
// chain_getHeader, FetchBlock chain_getBlockHash, midnight_jsonBlock (a JSON
// string parsed twice), then the block's System.Events storage
// (state_getStorage) decoded by the node (midnight_decodeEvents), so the
// evaluator needs no RPC call; the chain name (system_chain) is read once
// per client. A transaction hash that is not 32 bytes of hex drops that
// transaction only (QM5, a fix: OpenZeppelin Monitor loses the whole block).
package midnight
