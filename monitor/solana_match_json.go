package monitor

import (
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// marshalSolanaJSON renders the match as OpenZeppelin Monitor's Solana
// MonitorMatch (docs/compatibility.md#solana-monitormatch): the monitor as
// configured (IDLs echoed as given), the transaction and the block header
// in OZ's model, the network and what matched. QS13, our decision:
// block.transactions holds only the matched transaction, not every
// transaction of the slot (which made each OZ payload megabytes).
func (m *Match) marshalSolanaJSON() ([]byte, error) {
	monitorJSON, err := m.monitorJSON()
	if err != nil {
		return nil, err
	}
	tx := ozSolanaTransaction(m.Transaction.Solana)
	blk := ozSolanaBlock{Slot: m.Ledger, Blockhash: m.LedgerHash, Transactions: []*chain.SolanaTransaction{tx}}
	if b := m.block; b != nil {
		blk.PreviousBlockhash = b.ParentHash
		if sb := b.Solana; sb != nil {
			blk.ParentSlot, blk.BlockTime, blk.BlockHeight = sb.ParentSlot, sb.BlockTime, sb.BlockHeight
		}
	}
	args := m.MatchedOnArgs
	if args.Functions == nil {
		args.Functions = []ArgsEntry{}
	}
	if args.Events == nil {
		args.Events = []ArgsEntry{}
	}
	out, err := ozconfig.MarshalNoEscape(ozSolanaMatch{Solana: ozSolanaBody{
		Monitor:       monitorJSON,
		Transaction:   tx,
		Block:         blk,
		NetworkSlug:   m.Network,
		MatchedOn:     m.MatchedOn,
		MatchedOnArgs: args,
	}})
	if err != nil {
		return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s: %w", m.TenantID, m.MonitorName, m.Transaction.Hash, err)
	}
	return out, nil
}

type ozSolanaMatch struct {
	Solana ozSolanaBody `json:"Solana"`
}

// ozSolanaBody has OpenZeppelin Monitor's key order (as its test mode
// prints it).
type ozSolanaBody struct {
	Monitor       json.RawMessage          `json:"monitor"`
	Transaction   *chain.SolanaTransaction `json:"transaction"`
	Block         ozSolanaBlock            `json:"block"`
	NetworkSlug   string                   `json:"network_slug"`
	MatchedOn     MatchedOn                `json:"matched_on"`
	MatchedOnArgs MatchedOnArgs            `json:"matched_on_args"`
}

type ozSolanaBlock struct {
	Slot              uint64                     `json:"slot"`
	Blockhash         string                     `json:"blockhash"`
	PreviousBlockhash string                     `json:"previousBlockhash"`
	ParentSlot        uint64                     `json:"parentSlot"`
	BlockTime         *int64                     `json:"blockTime"`
	BlockHeight       *uint64                    `json:"blockHeight"`
	Transactions      []*chain.SolanaTransaction `json:"transactions"`
}

// ozSolanaTransaction is a copy of st with every list OZ always writes set
// to [] when empty (never null), so payloads have OZ's shape whatever
// decoder built the block.
func ozSolanaTransaction(st *chain.SolanaTransaction) *chain.SolanaTransaction {
	c := *st
	c.Message.AccountKeys = orEmpty(c.Message.AccountKeys)
	c.Message.Instructions = orEmpty(c.Message.Instructions)
	c.Message.AddressTableLookups = orEmpty(c.Message.AddressTableLookups)
	if st.Meta != nil {
		meta := *st.Meta
		meta.PreBalances = orEmpty(meta.PreBalances)
		meta.PostBalances = orEmpty(meta.PostBalances)
		meta.PreTokenBalances = orEmpty(meta.PreTokenBalances)
		meta.PostTokenBalances = orEmpty(meta.PostTokenBalances)
		meta.InnerInstructions = orEmpty(meta.InnerInstructions)
		for i := range meta.InnerInstructions {
			if meta.InnerInstructions[i].Instructions == nil {
				meta.InnerInstructions = append([]chain.SolanaInnerInstructions(nil), meta.InnerInstructions...)
				for j := range meta.InnerInstructions {
					meta.InnerInstructions[j].Instructions = orEmpty(meta.InnerInstructions[j].Instructions)
				}
				break
			}
		}
		meta.LogMessages = orEmpty(meta.LogMessages)
		c.Meta = &meta
	}
	return &c
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
