package handlers

import (
	"context"
	"errors"
	"fmt"
	"github.com/ozmon/ozmon/tasks"
	"strconv"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tenants"
	"github.com/redis/go-redis/v9"
)

// maxReorgDepth bounds how far back a parent-hash mismatch is followed.
const maxReorgDepth = 64

// chainLinks remembers the hash of every processed block per network (in
// Redis, shared by all pods) so each new block's parent link can be
// checked. It is chain-agnostic: Stellar ledgers never disagree, EVM
// blocks do after a reorganisation.
type chainLinks struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

func (l chainLinks) key(network string, n uint64) string {
	return "ozmon:chain:" + network + ":" + strconv.FormatUint(n, 10)
}

func (l chainLinks) get(ctx context.Context, network string, n uint64) (string, bool, error) {
	h, err := l.rdb.Get(ctx, l.key(network, n)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read block hash %s/%d: %w", network, n, err)
	}
	return h, true, nil
}

func (l chainLinks) set(ctx context.Context, network string, n uint64, hash string) error {
	if err := l.rdb.Set(ctx, l.key(network, n), hash, l.ttl).Err(); err != nil {
		return fmt.Errorf("record block hash %s/%d: %w", network, n, err)
	}
	return nil
}

// reorg handles a block whose parent hash is not the hash we processed
// for the block before it: it walks back, fetching the canonical blocks
// until one agrees with what was processed, and for each replaced block it
// flags the deliveries of transactions the new branch dropped, caches the
// canonical block and evaluates it. It returns how many blocks were
// replaced. lane is the network or a region's lane of it (tasks.Lane):
// each lane keeps its own links, so each walks a reorganisation for its
// own tenants.
func (h *Handlers) reorg(ctx context.Context, lane string, fetcher BlockFetcher, tip *chain.Block, fanOut func(context.Context, *chain.Block, []tenants.Candidate) error) (int, error) {
	network, _ := tasks.SplitLane(lane)
	links := chainLinks{rdb: h.cfg.Redis, ttl: 24 * time.Hour}
	var replaced []*chain.Block
	var candsOf [][]tenants.Candidate // each replaced block's, if fetch looked them up
	parent := tip.ParentHash
	for n := tip.Ledger - 1; n+maxReorgDepth >= tip.Ledger && n > 0; n-- {
		seen, ok, err := links.get(ctx, lane, n)
		if err != nil {
			return 0, err
		}
		if !ok || seen == parent {
			break // a common ancestor, or history we never processed
		}
		canon, cands, err := h.fetch(ctx, network, fetcher, n)
		if err != nil {
			return 0, fmt.Errorf("reorg at %s/%d: fetch canonical block %d: %w", network, tip.Ledger, n, err)
		}
		if canon.Hash != parent {
			return 0, fmt.Errorf("reorg at %s/%d: node served block %d with hash %s, child expects %s (node still reorganising); will retry",
				network, tip.Ledger, n, canon.Hash, parent)
		}
		replaced = append(replaced, canon)
		candsOf = append(candsOf, cands)
		parent = canon.ParentHash
	}
	// Oldest first, so deliveries follow chain order.
	for i := len(replaced) - 1; i >= 0; i-- {
		canon := replaced[i]
		h.cfg.Log.Warn("chain reorganisation: block replaced", "network", network, "block", canon.Ledger, "new_hash", canon.Hash)
		h.cfg.Metrics.Reorgs.WithLabelValues(network).Inc()
		if f, ok := h.cfg.Deliveries.(store.OrphanFlagger); ok {
			txs := make([]string, len(canon.Transactions))
			for j := range canon.Transactions {
				txs[j] = canon.Transactions[j].Hash
			}
			n, err := f.FlagOrphaned(ctx, network, canon.Ledger, txs)
			if err != nil {
				return 0, err
			}
			h.cfg.Metrics.OrphanedDeliveries.WithLabelValues(network).Add(float64(n))
		}
		if err := h.cfg.Cache.Put(ctx, canon); err != nil {
			return 0, err
		}
		if err := fanOut(ctx, canon, candsOf[i]); err != nil {
			return 0, err
		}
		if err := links.set(ctx, lane, canon.Ledger, canon.Hash); err != nil {
			return 0, err
		}
	}
	return len(replaced), nil
}
