package solana

import (
	"context"
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// Source is one Solana network as the pipeline sees it: Tip is one getSlot
// (finalized; the scheduler subtracts confirmation_blocks), FetchBlock one
// getBlock of the slot, whatever the number of tenants and monitored
// programs. It satisfies the scheduler's TipSource and the handlers'
// BlockFetcher.
type Source struct {
	Client  *Client
	Network string // the network slug
	// OnSkipped, if set, is called once per FetchBlock of a skipped slot
	// (metrics hang off it). It must be safe for concurrent use.
	OnSkipped func(slot uint64)
}

// Tip returns the latest finalized slot.
func (s *Source) Tip(ctx context.Context) (uint64, error) {
	n, err := s.Client.Slot(ctx)
	if err != nil {
		return 0, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return n, nil
}

// FetchBlock fetches slot. A skipped slot is not an error: it is an empty
// block with Solana.Skipped set (SkippedBlock), which the pipeline caches
// like any other, so the slot is neither retried nor asked again.
func (s *Source) FetchBlock(ctx context.Context, slot uint64) (*chain.Block, error) {
	b, err := s.Client.Block(ctx, s.Network, slot)
	if errors.Is(err, ErrSlotSkipped) {
		if s.OnSkipped != nil {
			s.OnSkipped(slot)
		}
		return SkippedBlock(s.Network, slot), nil
	}
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return b, nil
}

// SkippedBlock is the block of a slot in which none was produced: no
// hash, no transactions, Solana.Skipped set. Its empty hash keeps the
// handlers' parent-hash check from linking across it.
func SkippedBlock(network string, slot uint64) *chain.Block {
	return &chain.Block{Chain: chain.Solana, Network: network, Ledger: slot, Solana: &chain.SolanaBlock{Skipped: true}}
}
