package chain

import (
	"encoding/json"
	"fmt"
	"time"
)

// SolanaModelBlock is a Solana block in OpenZeppelin Monitor's model (its
// fixtures' blocks.json entries, its stored blocks without the {"Solana":
// …} wrapper, the "block" of its MonitorMatch).
type SolanaModelBlock struct {
	Slot              uint64              `json:"slot"`
	Blockhash         string              `json:"blockhash"`
	PreviousBlockhash string              `json:"previousBlockhash"`
	ParentSlot        uint64              `json:"parentSlot"`
	BlockTime         *int64              `json:"blockTime"`
	BlockHeight       *uint64             `json:"blockHeight"`
	Transactions      []SolanaTransaction `json:"transactions"`
}

// SolanaBlockFromModel builds the chain.Block of a block in OpenZeppelin
// Monitor's Solana model, for network: Ledger is the slot, Hash the
// blockhash, CloseTime the block time; each transaction's Hash is its
// signature, Index its 1-based position, Success "meta present and err
// null", FeeCharged the fee in lamports. A {"Solana": …} wrapper (OZ's
// stored blocks) is accepted.
func SolanaBlockFromModel(network string, data []byte) (*Block, error) {
	var wrapped struct {
		Solana json.RawMessage `json:"Solana"`
	}
	if json.Unmarshal(data, &wrapped) == nil && len(wrapped.Solana) > 0 {
		data = wrapped.Solana
	}
	var m SolanaModelBlock
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decode solana block of %s: %w", network, err)
	}
	b := &Block{
		Chain:        Solana,
		Network:      network,
		Ledger:       m.Slot,
		Hash:         m.Blockhash,
		ParentHash:   m.PreviousBlockhash,
		Transactions: make([]Transaction, len(m.Transactions)),
		Solana:       &SolanaBlock{ParentSlot: m.ParentSlot, BlockTime: m.BlockTime, BlockHeight: m.BlockHeight},
	}
	if m.BlockTime != nil {
		b.CloseTime = time.Unix(*m.BlockTime, 0).UTC()
	}
	for i := range m.Transactions {
		st := &m.Transactions[i]
		tx := Transaction{Hash: st.Signature, Index: i + 1, Success: !st.Failed(), Solana: st}
		if st.Meta != nil {
			tx.FeeCharged = int64(min(st.Meta.Fee, 1<<63-1))
		}
		b.Transactions[i] = tx
	}
	return b, nil
}
