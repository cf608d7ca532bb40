package chain

import (
	"strings"
	"time"
)

// Chain names the family a network belongs to; it picks the decoder and the
// monitor evaluator.
type Chain string

const (
	Stellar Chain = "stellar"
	EVM     Chain = "evm"
)

// Block is one ledger (Stellar) or block (EVM) of one network, decoded once.
type Block struct {
	Chain           Chain     `json:"chain"`
	Network         string    `json:"network"` // the network slug
	Ledger          uint64    `json:"ledger"`  // Stellar ledger sequence / EVM block number
	Hash            string    `json:"hash"`    // lowercase hex
	ParentHash      string    `json:"parent_hash,omitempty"`
	CloseTime       time.Time `json:"close_time"`
	ProtocolVersion uint32    `json:"protocol_version,omitempty"`
	// Transactions in apply order.
	Transactions []Transaction `json:"transactions"`
	// Solana is set on Solana networks' blocks (nil elsewhere).
	Solana *SolanaBlock `json:"solana,omitempty"`
	// Midnight is set on Midnight networks' blocks (nil elsewhere).
	Midnight *MidnightBlock `json:"midnight,omitempty"`
}

// Contracts returns every contract address the block touches (called or
// emitting an event), each once, in first-seen order. On EVM that is each
// transaction's To and every log's Address, as lowercase hex; on Solana
// every program id a top-level or inner instruction calls (base58); on
// Midnight every contract a Call operation calls (MidnightAddressKey form). The monitor index uses
// it to find candidate monitors in time proportional to the block, not to
// the number of monitors.
func (b *Block) Contracts() []string {
	seen := make(map[string]struct{}, 64)
	var out []string
	add := func(a string) {
		if a == "" {
			return
		}
		if _, ok := seen[a]; !ok {
			seen[a] = struct{}{}
			out = append(out, a)
		}
	}
	for i := range b.Transactions {
		tx := &b.Transactions[i]
		for j := range tx.Operations {
			if c := tx.Operations[j].Call; c != nil {
				add(c.Contract)
			}
		}
		for j := range tx.Events {
			add(tx.Events[j].Contract)
		}
		if x := tx.Solana; x != nil {
			accounts := x.Accounts()
			for j := range x.Message.Instructions {
				add(x.ProgramID(&x.Message.Instructions[j], accounts))
			}
			if x.Meta != nil {
				for _, group := range x.Meta.InnerInstructions {
					for j := range group.Instructions {
						add(x.ProgramID(&group.Instructions[j], accounts))
					}
				}
			}
		}
		if x := tx.Midnight; x != nil {
			for j := range x.Operations {
				if op := &x.Operations[j]; op.Kind == MidnightCall {
					add(MidnightAddressKey(op.Address))
				}
			}
		}
		if x := tx.EVM; x != nil {
			add(strings.ToLower(x.To))
			for j := range x.Logs {
				add(strings.ToLower(x.Logs[j].Address))
			}
		}
	}
	return out
}
