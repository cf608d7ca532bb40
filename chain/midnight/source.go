package midnight

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// Source is one Midnight network as the pipeline sees it: Tip is the
// latest finalised block (the scheduler subtracts confirmation_blocks),
// FetchBlock the block with its events, fetched once for every tenant
// (chain_getBlockHash, midnight_jsonBlock, state_getStorage,
// midnight_decodeEvents; system_chain once per client). It satisfies the
// scheduler's TipSource and the handlers' BlockFetcher.
type Source struct {
	Client  *Client
	Network string // the network slug
}

// Tip returns the latest finalised block number.
func (s *Source) Tip(ctx context.Context) (uint64, error) {
	n, err := s.Client.Tip(ctx)
	if err != nil {
		return 0, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return n, nil
}

// FetchBlock fetches block n with its events.
func (s *Source) FetchBlock(ctx context.Context, n uint64) (*chain.Block, error) {
	b, err := s.Client.Block(ctx, s.Network, n)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return b, nil
}
