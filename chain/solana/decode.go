package solana

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// ErrNoBlock is DecodeBlock's answer to a null result: the node has no
// block for the slot (OpenZeppelin Monitor skips such a slot).
var ErrNoBlock = errors.New("no block for the slot (null result)")

// The strict shapes of a getBlock result. Almost every answer decodes into
// them in one encoding/json pass; one that does not (a number where a list
// was expected, an object among the account keys…) is read again by the
// lenient walker, which applies OpenZeppelin Monitor's per-field rules.
type rpcBlock struct {
	Blockhash         string           `json:"blockhash"`
	PreviousBlockhash string           `json:"previousBlockhash"`
	ParentSlot        uint64           `json:"parentSlot"`
	BlockTime         *int64           `json:"blockTime"`
	BlockHeight       *uint64          `json:"blockHeight"`
	Transactions      []rpcTransaction `json:"transactions"`
}

type rpcTransaction struct {
	Transaction *struct {
		Signatures []string `json:"signatures"`
		Message    struct {
			AccountKeys         []string         `json:"accountKeys"`
			RecentBlockhash     string           `json:"recentBlockhash"`
			Instructions        []rpcInstruction `json:"instructions"`
			AddressTableLookups []struct {
				AccountKey      string   `json:"accountKey"`
				WritableIndexes []uint64 `json:"writableIndexes"`
				ReadonlyIndexes []uint64 `json:"readonlyIndexes"`
			} `json:"addressTableLookups"`
		} `json:"message"`
	} `json:"transaction"`
	Meta *rpcMeta `json:"meta"`
}

type rpcInstruction struct {
	ProgramIDIndex *uint64          `json:"programIdIndex"`
	Accounts       []uint64         `json:"accounts"`
	Data           string           `json:"data"`
	Parsed         *json.RawMessage `json:"parsed"`
	Program        string           `json:"program"`
	ProgramID      string           `json:"programId"`
	StackHeight    *uint64          `json:"stackHeight"`
}

type rpcMeta struct {
	Err               json.RawMessage `json:"err"`
	Fee               uint64          `json:"fee"`
	PreBalances       []uint64        `json:"preBalances"`
	PostBalances      []uint64        `json:"postBalances"`
	InnerInstructions []struct {
		Index        *uint64          `json:"index"`
		Instructions []rpcInstruction `json:"instructions"`
	} `json:"innerInstructions"`
	LogMessages          []string `json:"logMessages"`
	ComputeUnitsConsumed *uint64  `json:"computeUnitsConsumed"`
	LoadedAddresses      *struct {
		Writable []string `json:"writable"`
		Readonly []string `json:"readonly"`
	} `json:"loadedAddresses"`
}

// DecodeBlock decodes a getBlock result (json encoding, full transaction
// details) for slot of network into a chain.Block. A null result is
// ErrNoBlock; a result that is not an object, or whose transactions are
// not a list, is an error naming the slot. Everything inside follows
// OpenZeppelin Monitor's parser (spec 13.3): missing fields default, a
// transaction entry without "transaction" is dropped, an instruction whose
// program index exceeds 255 is dropped, account indices over 255 and
// non-numeric balances or non-string log lines are dropped one by one.
// Deliberate differences: a null or absent meta makes the transaction
// failed (QS18), and meta.loadedAddresses and the message's
// addressTableLookups are kept (QS10); token balances, rewards and the
// message header are not kept, as in OZ.
func DecodeBlock(network string, slot uint64, raw []byte) (*chain.Block, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("slot %d: empty getBlock result", slot)
	}
	if string(raw) == "null" {
		return nil, ErrNoBlock
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("slot %d: getBlock result is not an object", slot)
	}
	var rb rpcBlock
	if err := json.Unmarshal(raw, &rb); err == nil {
		return fromStrict(network, slot, &rb), nil
	}
	return decodeLenient(network, slot, raw)
}

// fromStrict builds the block from the strict shapes.
func fromStrict(network string, slot uint64, rb *rpcBlock) *chain.Block {
	b := newBlock(network, slot, rb.Blockhash, rb.PreviousBlockhash, rb.ParentSlot, rb.BlockTime, rb.BlockHeight, len(rb.Transactions))
	// One array for all the model transactions: a slot holds thousands.
	models := make([]chain.SolanaTransaction, 0, len(rb.Transactions))
	for i := range rb.Transactions {
		rt := &rb.Transactions[i]
		if rt.Transaction == nil {
			continue // OZ drops an entry without a transaction
		}
		m := rt.Transaction.Message
		st := chain.SolanaTransaction{Slot: slot, BlockTime: b.Solana.BlockTime}
		if len(rt.Transaction.Signatures) > 0 {
			st.Signature = rt.Transaction.Signatures[0]
		}
		st.Message.AccountKeys = nilIfEmpty(m.AccountKeys)
		st.Message.RecentBlockhash = m.RecentBlockhash
		st.Message.Instructions = instructions(m.Instructions)
		if len(m.AddressTableLookups) > 0 {
			st.Message.AddressTableLookups = make([]chain.SolanaTableLookup, len(m.AddressTableLookups))
			for j, l := range m.AddressTableLookups {
				st.Message.AddressTableLookups[j] = chain.SolanaTableLookup{AccountKey: l.AccountKey,
					WritableIndexes: indices(l.WritableIndexes), ReadonlyIndexes: indices(l.ReadonlyIndexes)}
			}
		}
		if mt := rt.Meta; mt != nil {
			meta := &chain.SolanaTransactionMeta{
				Err:                  errValue(mt.Err),
				Fee:                  mt.Fee,
				PreBalances:          nilIfEmpty(mt.PreBalances),
				PostBalances:         nilIfEmpty(mt.PostBalances),
				LogMessages:          nilIfEmpty(mt.LogMessages),
				ComputeUnitsConsumed: mt.ComputeUnitsConsumed,
			}
			for _, g := range mt.InnerInstructions {
				if g.Index == nil || *g.Index > math.MaxUint8 {
					continue
				}
				meta.InnerInstructions = append(meta.InnerInstructions,
					chain.SolanaInnerInstructions{Index: uint8(*g.Index), Instructions: instructions(g.Instructions)})
			}
			if la := mt.LoadedAddresses; la != nil {
				meta.LoadedAddresses = &chain.SolanaLoadedAddresses{Writable: nilIfEmpty(la.Writable), Readonly: nilIfEmpty(la.Readonly)}
			}
			st.Meta = meta
		}
		models = append(models, st)
	}
	attach(b, models)
	return b
}

// newBlock makes the block header; transactions are attached after.
func newBlock(network string, slot uint64, hash, parent string, parentSlot uint64, blockTime *int64, height *uint64, capacity int) *chain.Block {
	b := &chain.Block{
		Chain:        chain.Solana,
		Network:      network,
		Ledger:       slot,
		Hash:         hash,
		ParentHash:   parent,
		Transactions: make([]chain.Transaction, 0, capacity),
		Solana:       &chain.SolanaBlock{ParentSlot: parentSlot, BlockTime: blockTime, BlockHeight: height},
	}
	if blockTime != nil {
		b.CloseTime = time.Unix(*blockTime, 0).UTC()
	}
	return b
}

// attach fills the block's transactions from the models, in order: the
// common fields (signature as hash, 1-based index, status, fee) and the
// model itself.
func attach(b *chain.Block, models []chain.SolanaTransaction) {
	for i := range models {
		st := &models[i]
		tx := chain.Transaction{Hash: st.Signature, Index: len(b.Transactions) + 1, Success: !st.Failed(), Solana: st}
		if st.Meta != nil {
			tx.FeeCharged = int64(min(st.Meta.Fee, math.MaxInt64))
		}
		b.Transactions = append(b.Transactions, tx)
	}
	if len(b.Transactions) == 0 {
		b.Transactions = nil
	}
}

// instructions converts instructions by OZ's rules: a missing program
// index is 0, one over 255 drops the instruction, account indices over 255
// are dropped one by one.
func instructions(in []rpcInstruction) []chain.SolanaInstruction {
	if len(in) == 0 {
		return nil
	}
	out := make([]chain.SolanaInstruction, 0, len(in))
	for _, ix := range in {
		var idx uint64
		if ix.ProgramIDIndex != nil {
			idx = *ix.ProgramIDIndex
		}
		if idx > math.MaxUint8 {
			continue
		}
		si := chain.SolanaInstruction{ProgramIDIndex: uint8(idx), Accounts: indices(ix.Accounts), Data: ix.Data,
			Program: ix.Program, ProgramID: ix.ProgramID}
		if ix.Parsed != nil && string(*ix.Parsed) != "null" {
			si.Parsed = *ix.Parsed
		}
		if ix.StackHeight != nil && *ix.StackHeight <= math.MaxUint32 {
			h := uint32(*ix.StackHeight)
			si.StackHeight = &h
		}
		out = append(out, si)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// indices keeps the entries that fit a u8, in order.
func indices(in []uint64) []uint8 {
	if len(in) == 0 {
		return nil
	}
	out := make([]uint8, 0, len(in))
	for _, a := range in {
		if a <= math.MaxUint8 {
			out = append(out, uint8(a))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// errValue keeps a transaction error verbatim; null (success) is nil.
func errValue(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// nilIfEmpty makes an empty list nil, as the block cache's codec returns
// it, so that a block reads the same fresh and cached.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// errText bounds a decoding error that may quote the node's data.
func errText(err error) string { return jsonrpc.Truncate(err.Error(), 256) }
