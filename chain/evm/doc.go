// Package evm reads EVM blocks over JSON-RPC with endpoint failover and
// decodes them, their logs and receipts into chain.Block, with ABI helpers.
//
// Source is what the pipeline uses: Tip is one eth_blockNumber, FetchBlock
// one eth_getBlockByNumber and one eth_getLogs, plus one
// eth_getTransactionReceipt per transaction only when receipts are needed.
// ABICache gives the ABIDecoder monitors use to decode calls and logs (one
// per distinct ABI), with values rendered as OpenZeppelin Monitor renders them.
package evm
