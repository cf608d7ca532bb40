package stellar

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// Source is one Stellar network as the pipeline sees it: the tip and one
// decoded ledger, each in a single RPC call. It satisfies the scheduler's
// TipSource and the handlers' block fetcher without either knowing Stellar.
type Source struct {
	Client     *Client
	Network    string // the network slug
	Passphrase string
}

// Tip returns the latest ledger from getHealth.
func (s *Source) Tip(ctx context.Context) (uint64, error) {
	h, err := s.Client.Health(ctx)
	if err != nil {
		return 0, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return uint64(h.LatestLedger), nil
}

// FetchBlock fetches one ledger with one getLedgers call and decodes it.
func (s *Source) FetchBlock(ctx context.Context, ledger uint64) (*chain.Block, error) {
	if ledger > uint64(^uint32(0)) {
		return nil, fmt.Errorf("network %s: ledger %d is beyond uint32", s.Network, ledger)
	}
	raw, err := s.Client.Ledger(ctx, uint32(ledger))
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	b, err := DecodeLedgerXDR(s.Network, s.Passphrase, raw.Meta)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return b, nil
}
