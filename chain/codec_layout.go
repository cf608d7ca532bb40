package chain

// Binary encoding of a Block, used by the Redis block cache: decoding JSON
// of one mainnet ledger costs tens of milliseconds and thousands of
// allocations; this format decodes in a fraction of that with a handful of
// allocations.
//
// Layout (version 4), integers as encoding/binary uvarints unless noted:
//
//	byte    version (4)
//	uvarint text heap length, bytes heap length
//	uvarint counts: transactions, operations, events, calls, payments,
//	        values, map entries, EVM transactions, EVM logs, EVM log
//	        topics, EVM receipts (totals over the whole block)
//	[text heap]  every string's bytes, concatenated in encoding order
//	[bytes heap] every []byte's bytes, concatenated in encoding order
//	structure:   the block's fields in declaration order; a string or
//	             []byte is only its length, its content being the next
//	             bytes of its heap
//
// Why heaps and totals: the decoder turns the text heap into one string and
// copies the bytes heap once, then hands out substrings and subslices, and
// it allocates one slice per element type (operations, events, values…)
// sized from the totals and carves each transaction's or Vec's slice out of
// it. Decoding a block therefore costs about ten allocations whatever its
// size.
//
// Consequences a caller can observe:
//   - Empty slices ([]Value{}, []byte{}, …) decode as nil: the format keeps a
//     length, not nil-ness. Nil-ness of Operation.Call and Operation.Payment
//     is kept.
//   - CloseTime keeps its instant to the nanosecond (Unix seconds, signed,
//     plus nanoseconds) and decodes in UTC, without a monotonic reading:
//     times in UTC, as decoders produce them, round-trip exactly.
//   - Decoded strings and byte slices share two buffers, and slices of one
//     element type share one array (each with its capacity clipped, so an
//     append copies rather than overwriting a neighbour): a value kept from
//     a decoded block keeps the whole block's buffers alive.
//
// A Value is a tag byte, kind in the low five bits, then the fields present:
// 0x20 Int (zigzag varint for I32/I64, so small negatives stay short), 0x40
// Text, 0x80 a second byte saying which of Bytes (1), Items (2), Entries (4)
// follow. Every field is written whatever the kind, so a Value round-trips
// even when it carries fields its kind does not use.
//
// A transaction whose EVM field is set has the txEVM flag and, after its
// result XDR, the EVMTransaction's fields in declaration order: each log
// as address, topic count and topics, data, log index and raw JSON; the
// receipt as a presence byte then status, gas used and raw JSON; then the
// transaction's raw JSON. Nil-ness of EVM and Receipt is kept; empty Logs,
// Topics, Input, Data and Raw decode as nil.
//
// Solana (version 3): a transaction whose Solana field is set has the
// txSolana flag and, after its EVM part, a bits byte (blockTime, meta,
// computeUnitsConsumed, loadedAddresses present), signature, slot,
// [blockTime], account keys (count, strings), recent blockhash,
// instructions, address-table lookups (key, writable and readonly indexes
// as bytes); with meta: err (raw JSON as bytes), fee, pre and post
// balances (count, uvarints), pre and post token balances, inner groups
// (index byte, instructions), log messages, [compute units], [loaded
// writable, loaded readonly]. An instruction is a bits byte (stack height
// present), the program index byte, accounts (bytes), data, parsed (raw
// JSON as bytes), program, program id, [stack height]. After the
// transactions every block ends with its Solana byte: 0 for none, else
// present|blockTime|blockHeight|skipped bits, parent slot, [blockTime
// zigzag], [blockHeight]. Nil-ness of Solana, Meta, LoadedAddresses and
// the optional numbers is kept; empty lists and raw JSON decode as nil.
// Solana lists are allocated per list, not carved from header totals;
// each count is checked against the bytes left before allocating.
//
// Midnight (version 4): a transaction whose Midnight field is set has the
// txMidnight flag and, after its Solana part, tx hash, identifiers (count,
// strings), operations (count; each kind, address, entry point, value,
// coin type and raw JSON as bytes). After the Solana byte every block ends
// with its Midnight byte: 0 for none, else 1 then chain name, events error
// and events (count; each kind, tx hash, address, raw JSON as bytes).
// Empty lists and raw JSON decode as nil.

// binaryVersion is the first byte of MarshalBinary's output; a change of
// layout takes a new version so that caches holding the old one miss
// instead of misreading.
const binaryVersion byte = 4

// maxValueDepth bounds Value nesting (a Vec is one level deeper than its
// parent). Soroban itself caps nesting well below it; the bound keeps a
// hostile or corrupt encoding from exhausting the stack.
const maxValueDepth = 128

// Value tag bits (the low five bits hold the Kind).
const (
	tagKindMask  = 0x1f
	tagInt       = 0x20
	tagText      = 0x40
	tagContainer = 0x80

	hasBytes   = 1
	hasItems   = 2
	hasEntries = 4
)

// Transaction flag bits.
const (
	txSuccess  = 1
	txFeeBump  = 2
	txEVM      = 4
	txSolana   = 8
	txMidnight = 16
)

// Operation payload bits.
const (
	opHasCall    = 1
	opHasPayment = 2
)

// Smallest structure encodings of each element: the decoder checks the
// declared totals against the structure's length with them before
// allocating, so that allocation stays proportional to the input.
const (
	minTxLen      = 13 // hash, index, flags, fee, source, muxed, fee source, memo ×2, #ops, #events, envelope, result
	minOpLen      = 5  // index, type, name, source, payload bits
	minEventLen   = 5  // contract, #topics, data, op index, tx index
	minCallLen    = 3  // contract, function, #args
	minPaymentLen = 4  // from, to, asset, amount
	minValueLen   = 1  // tag
	minEntryLen   = 2  // key and value tags
	minBlockLen   = 11 // chain, network, ledger, hash, parent, seconds, nanos, protocol, #transactions, solana byte, midnight byte
	minEVMTxLen   = 13 // from, to, value, input, nonce, gas, 3 fee fields, tx index, #logs, receipt bit, raw
	minLogLen     = 5  // address, #topics, data, log index, raw
	minTopicLen   = 1  // length
	minReceiptLen = 3  // status, gas used, raw
)

// headerTotals is how many uvarints follow the version byte.
const headerTotals = 13

// signedKind reports whether a kind's Int is two's complement, which the
// encoding zigzags so that -1 takes one byte rather than ten.
func signedKind(k Kind) bool { return k == KindI32 || k == KindI64 }

func zigzag(x int64) uint64   { return uint64(x<<1) ^ uint64(x>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
