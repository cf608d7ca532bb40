package evm

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/chain"
)

// defaultReceiptConcurrency bounds the receipt calls Source makes at once.
const defaultReceiptConcurrency = 8

// Source is one EVM network as the pipeline sees it: Tip is one
// eth_blockNumber, FetchBlock one eth_getBlockByNumber and one eth_getLogs,
// plus one eth_getTransactionReceipt per transaction when receipts are
// needed (monitor.NeedsReceipts: a transaction condition on status, or an
// expression on gas_used). It satisfies the scheduler's TipSource and the
// handlers' block fetcher.
type Source struct {
	Client  *Client
	Network string // the network slug
	// Receipts reports whether blocks need receipts (e.g. some active
	// monitor of the network needs them); nil means no. Asked once per
	// FetchBlock. A caller that decides per block (the handlers, from the
	// block's candidate monitors) leaves it nil and calls AttachReceipts.
	Receipts func() bool
	// ReceiptConcurrency bounds parallel receipt calls (default 8).
	ReceiptConcurrency int
}

// Tip returns the latest block number.
func (s *Source) Tip(ctx context.Context) (uint64, error) {
	n, err := s.Client.BlockNumber(ctx)
	if err != nil {
		return 0, fmt.Errorf("network %s: %w", s.Network, err)
	}
	return n, nil
}

// FetchBlock fetches block n and its logs, assembles the chain.Block and,
// when needed, attaches its receipts.
func (s *Source) FetchBlock(ctx context.Context, n uint64) (*chain.Block, error) {
	rb, err := s.Client.Block(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	logs, err := s.Client.Logs(ctx, n, n)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", s.Network, err)
	}
	b, err := Assemble(s.Network, rb, logs, nil)
	if err != nil {
		return nil, err
	}
	if s.Receipts != nil && s.Receipts() {
		if err := s.AttachReceipts(ctx, b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// AttachReceipts fetches the receipt of every transaction of b (one
// eth_getTransactionReceipt each, ReceiptConcurrency at a time) and sets
// Receipt and Success (status == 1). A receipt of another block is
// ErrInconsistent. On error b is unchanged.
func (s *Source) AttachReceipts(ctx context.Context, b *chain.Block) error {
	if len(b.Transactions) == 0 {
		return nil
	}
	limit := s.ReceiptConcurrency
	if limit <= 0 {
		limit = defaultReceiptConcurrency
	}
	var mu sync.Mutex
	out := make(map[string]*Receipt, len(b.Transactions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range b.Transactions {
		hash := b.Transactions[i].Hash
		g.Go(func() error {
			r, err := s.Client.Receipt(gctx, hash)
			if err != nil {
				return err
			}
			mu.Lock()
			out[hash] = r
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("network %s: block %d: %w", s.Network, b.Ledger, err)
	}
	for _, r := range out {
		if r.BlockHash != "" && r.BlockHash != b.Hash {
			return fmt.Errorf("network %s: block %d: receipt of tx %s belongs to block %s: %w",
				s.Network, b.Ledger, r.TxHash, r.BlockHash, ErrInconsistent)
		}
	}
	return applyReceipts(b, out)
}
