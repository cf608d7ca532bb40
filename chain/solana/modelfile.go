package solana

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// modelBlock is a block of OpenZeppelin Monitor's Solana model (spec
// 13.1), the shape of its fixture files (blocks.json) and stored blocks.
type modelBlock struct {
	Slot              *uint64                   `json:"slot"`
	Blockhash         *string                   `json:"blockhash"`
	PreviousBlockhash *string                   `json:"previousBlockhash"`
	ParentSlot        *uint64                   `json:"parentSlot"`
	BlockTime         *int64                    `json:"blockTime"`
	BlockHeight       *uint64                   `json:"blockHeight"`
	Transactions      []chain.SolanaTransaction `json:"transactions"`
}

// ParseModelBlocks reads blocks in OpenZeppelin Monitor's Solana model: a
// JSON array of blocks, each bare or wrapped as {"Solana": {…}} (OZ's
// stored-block form). slot, blockhash, previousBlockhash and parentSlot
// are required. Lists are normalised as DecodeBlock leaves them (empty
// ones nil, raw JSON compacted), so a block read here equals the one
// DecodeBlock makes of EncodeBlock's output.
func ParseModelBlocks(network string, data []byte) ([]*chain.Block, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("solana blocks: want a JSON array of blocks: %s", errText(err))
	}
	out := make([]*chain.Block, 0, len(raws))
	for i, raw := range raws {
		var wrapped struct {
			Solana json.RawMessage `json:"Solana"`
		}
		if err := json.Unmarshal(raw, &wrapped); err == nil && len(wrapped.Solana) > 0 {
			raw = wrapped.Solana
		}
		var mb modelBlock
		if err := json.Unmarshal(raw, &mb); err != nil {
			return nil, fmt.Errorf("solana blocks: block %d: %s", i, errText(err))
		}
		switch {
		case mb.Slot == nil:
			return nil, fmt.Errorf("solana blocks: block %d: slot is required", i)
		case mb.Blockhash == nil, mb.PreviousBlockhash == nil:
			return nil, fmt.Errorf("solana blocks: block %d (slot %d): blockhash and previousBlockhash are required", i, *mb.Slot)
		case mb.ParentSlot == nil:
			return nil, fmt.Errorf("solana blocks: block %d (slot %d): parentSlot is required", i, *mb.Slot)
		}
		b := newBlock(network, *mb.Slot, *mb.Blockhash, *mb.PreviousBlockhash, *mb.ParentSlot, mb.BlockTime, mb.BlockHeight, len(mb.Transactions))
		for j := range mb.Transactions {
			st := &mb.Transactions[j]
			st.Slot = *mb.Slot
			st.BlockTime = mb.BlockTime // QS12: every transaction carries the block's time
			normalize(st)
		}
		attach(b, mb.Transactions)
		out = append(out, b)
	}
	return out, nil
}

// normalize makes a model transaction read as DecodeBlock builds one.
func normalize(st *chain.SolanaTransaction) {
	m := &st.Message
	m.AccountKeys = nilIfEmpty(m.AccountKeys)
	m.Instructions = normInstructions(m.Instructions)
	m.AddressTableLookups = nilIfEmpty(m.AddressTableLookups)
	for i := range m.AddressTableLookups {
		l := &m.AddressTableLookups[i]
		l.WritableIndexes, l.ReadonlyIndexes = nilIfEmpty(l.WritableIndexes), nilIfEmpty(l.ReadonlyIndexes)
	}
	mt := st.Meta
	if mt == nil {
		return
	}
	mt.Err = errValue(compact(mt.Err))
	mt.PreBalances, mt.PostBalances = nilIfEmpty(mt.PreBalances), nilIfEmpty(mt.PostBalances)
	mt.PreTokenBalances, mt.PostTokenBalances = nil, nil // the RPC parser keeps none (spec 13.3)
	mt.LogMessages = nilIfEmpty(mt.LogMessages)
	mt.InnerInstructions = nilIfEmpty(mt.InnerInstructions)
	for i := range mt.InnerInstructions {
		mt.InnerInstructions[i].Instructions = normInstructions(mt.InnerInstructions[i].Instructions)
	}
	if la := mt.LoadedAddresses; la != nil {
		la.Writable, la.Readonly = nilIfEmpty(la.Writable), nilIfEmpty(la.Readonly)
	}
}

func normInstructions(in []chain.SolanaInstruction) []chain.SolanaInstruction {
	for i := range in {
		in[i].Accounts = nilIfEmpty(in[i].Accounts)
		in[i].Parsed = compact(in[i].Parsed)
		if string(in[i].Parsed) == "null" {
			in[i].Parsed = nil
		}
	}
	return nilIfEmpty(in)
}

func compact(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}
