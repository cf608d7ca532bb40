package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"golang.org/x/sync/errgroup"
)

// FetchBlock handles fetch-block: it makes sure the ledger is cached (one
// RPC call across all pods), finds the tenants whose monitors could match
// it, and enqueues their evaluate-tenants batches. A retry re-enqueues the
// same batch TaskIDs, so it never duplicates work.
func (h *Handlers) FetchBlock(ctx context.Context, t *asynq.Task) error {
	var p tasks.FetchBlock
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	// p.Network may be a region's lane of the network (tasks.Lane): the
	// ledger is the network's, fetched and cached once for every lane.
	network, _ := tasks.SplitLane(p.Network)
	b, fetcher, cands, err := h.block(ctx, "fetch", network, p.Ledger)
	if err != nil {
		return err
	}

	if h.cfg.Redis != nil {
		if err := h.checkLinks(ctx, p, fetcher, b); err != nil {
			return err
		}
	}
	return h.fanOut(ctx, p, b, cands, "")
}

// block returns a ledger from the cache, or fetches it once across all
// pods. RPC calls are counted by the fetcher's client (its call observer).
// The candidates are those fetch looked up, if it did.
func (h *Handlers) block(ctx context.Context, stage, network string, ledger uint64) (*chain.Block, BlockFetcher, []tenants.Candidate, error) {
	fetcher, ok := h.cfg.Fetchers[network]
	if !ok {
		return nil, nil, nil, fmt.Errorf("%s ledger %d: network %q is not served by this worker: %w", stage, ledger, network, asynq.SkipRetry)
	}
	var cands []tenants.Candidate
	b, err := h.cfg.Cache.GetOrFetch(ctx, network, ledger, func(ctx context.Context) (*chain.Block, error) {
		b, c, err := h.fetch(ctx, network, fetcher, ledger)
		cands = c
		return b, err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s ledger %s/%d: %w", stage, network, ledger, err)
	}
	return b, fetcher, cands, nil
}

// fetch asks the node for a ledger. When the fetcher can attach receipts
// it does so if one of the block's candidate monitors needs them, and the
// candidates looked up for that are returned so that fan-out does not look
// them up a second time; nil means they were not looked up.
func (h *Handlers) fetch(ctx context.Context, network string, fetcher BlockFetcher, ledger uint64) (*chain.Block, []tenants.Candidate, error) {
	b, err := fetcher.FetchBlock(ctx, ledger)
	if err != nil {
		return nil, nil, err
	}
	rf, ok := fetcher.(ReceiptFetcher)
	if !ok {
		return b, nil, nil
	}
	cands := h.cfg.Tenants.Candidates(network, b)
	for _, c := range cands {
		if monitor.NeedsReceipts(c.Monitors) {
			if err := rf.AttachReceipts(ctx, b); err != nil {
				return nil, nil, err
			}
			break
		}
	}
	return b, cands, nil
}

// checkLinks compares the block's parent hash with the hash processed for
// the block before it; on a mismatch the chain reorganised and the
// replaced blocks are processed again (see reorg). Then it records this
// block's hash.
func (h *Handlers) checkLinks(ctx context.Context, p tasks.FetchBlock, fetcher BlockFetcher, b *chain.Block) error {
	if b.Hash == "" {
		// A ledger number without a block (a skipped Solana slot) links
		// nothing: the next block's parent is an earlier one, so recording
		// an empty hash here would read as a reorganisation there.
		return nil
	}
	// Links are kept per lane (p.Network, see tasks.Lane): each lane
	// walks a reorganisation for its own tenants.
	links := chainLinks{rdb: h.cfg.Redis, ttl: 24 * time.Hour}
	if b.ParentHash != "" && p.Ledger > 0 {
		prev, ok, err := links.get(ctx, p.Network, p.Ledger-1)
		if err != nil {
			return err
		}
		if ok && prev != b.ParentHash {
			n, err := h.reorg(ctx, p.Network, fetcher, b, func(ctx context.Context, canon *chain.Block, cands []tenants.Candidate) error {
				return h.fanOut(ctx, tasks.FetchBlock{Network: p.Network, Ledger: canon.Ledger, ScheduledAt: p.ScheduledAt}, canon, cands, "@"+short(canon.Hash))
			})
			if err != nil {
				return err
			}
			h.cfg.Log.Warn("chain reorganisation handled", "network", p.Network, "at", p.Ledger, "depth", n)
		}
	}
	return links.set(ctx, p.Network, p.Ledger, b.Hash)
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// fanOut enqueues the evaluate-tenants batches of a block: only tenants
// whose monitors could match it (cands; nil: looked up here) get work.
// suffix distinguishes the batches of a block re-processed after a
// reorganisation from the replaced one's.
//
// With a progress store the batches are recorded before they are enqueued,
// so the ledger counts as complete only once each of them is done, and a
// batch that Redis loses is found missing by the scheduler.
func (h *Handlers) fanOut(ctx context.Context, p tasks.FetchBlock, b *chain.Block, cands []tenants.Candidate, suffix string) error {
	network, region := tasks.SplitLane(p.Network)
	if cands == nil {
		cands = h.batchCandidates(network, b)
	}
	if region != "" {
		cands = h.inRegion(cands, region)
	}
	batches := h.batches(ctx, cands, p, b, suffix)
	track := h.cfg.Progress != nil && suffix == ""
	if track {
		refs := make([]store.BatchRef, len(batches))
		for i, bt := range batches {
			refs[i] = batchRef(bt)
		}
		if err := h.cfg.Progress.MarkFannedOut(ctx, p.Network, p.Ledger, refs, p.Redrive > 0); err != nil {
			return tasks.Defer(storeDelay(), fmt.Errorf("fan out ledger %s/%d: %w", p.Network, p.Ledger, err))
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, bt := range batches {
		g.Go(func() error {
			enq, err := tasks.Enqueue(gctx, h.cfg.Client, bt)
			if err == nil && !enq && track && p.Redrive > 0 {
				// A re-driven ledger: a batch that survived in Redis and
				// already ran will not run again, so count it done now.
				err = h.doneIfCompleted(gctx, bt)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("fan out ledger %s/%d: %w", p.Network, p.Ledger, err)
	}
	return nil
}

// batchCandidates are the tenants a block concerns, with what batching
// reads of them. Only least_loaded reads their candidate monitors (to
// count them); for the other strategies the index finds the tenant ids
// without building and sorting each tenant's monitor list, which
// evaluate-tenants builds again for its own batch anyway.
func (h *Handlers) batchCandidates(network string, b *chain.Block) []tenants.Candidate {
	if h.cfg.Strategy == LeastLoaded {
		return h.cfg.Tenants.Candidates(network, b)
	}
	ix := h.cfg.Tenants.Index(network)
	if ix == nil {
		return nil
	}
	ids := ix.TenantsFor(b)
	out := make([]tenants.Candidate, 0, len(ids))
	for _, id := range ids {
		tier := tasks.TierDefault // removed since the index was read
		if t, ok := h.cfg.Tenants.Get(id); ok {
			tier = t.Tier
		}
		out = append(out, tenants.Candidate{TenantID: id, Tier: tier})
	}
	return out
}

// batches groups a block's candidate tenants into evaluate-tenants tasks.
func (h *Handlers) batches(ctx context.Context, cands []tenants.Candidate, p tasks.FetchBlock, b *chain.Block, suffix string) []tasks.EvaluateTenants {
	if len(cands) == 0 {
		return nil
	}
	var scores map[string]float64
	if h.cfg.Strategy == ActivityBased {
		ids := make([]string, 0, len(cands))
		for _, c := range cands {
			ids = append(ids, c.TenantID)
		}
		var err error
		if scores, err = h.cfg.Activity.Scores(ctx, ids); err != nil {
			h.cfg.Log.Warn("activity scores unavailable; batching by hash", "err", err)
		}
	}
	list := make([]candidate, 0, len(cands))
	for _, c := range cands {
		list = append(list, candidate{TenantID: c.TenantID, Tier: c.Tier, Monitors: len(c.Monitors), Activity: scores[c.TenantID]})
	}
	var out []tasks.EvaluateTenants
	for _, bt := range makeBatches(h.cfg.Strategy, list, h.cfg.MaxTenantsPerBatch, h.cfg.Tenants.TierTotal) {
		network, region := tasks.SplitLane(p.Network)
		out = append(out, tasks.EvaluateTenants{
			Network: network, Region: region, Ledger: p.Ledger, Batch: bt.Key + suffix, Tier: bt.Tier, Tenants: bt.Tenants,
			BlockHash: b.Hash, ScheduledAt: p.ScheduledAt,
		})
	}
	return out
}

// doneIfCompleted marks a batch done when its task has completed.
func (h *Handlers) doneIfCompleted(ctx context.Context, bt tasks.EvaluateTenants) error {
	if h.insp == nil {
		return nil
	}
	info, err := h.insp.GetTaskInfo(bt.Queue(), bt.TaskID())
	if err != nil || info.State != asynq.TaskStateCompleted {
		return nil // still to run (it marks itself), or gone: the scheduler looks again
	}
	return h.cfg.Progress.MarkBatchDone(ctx, tasks.Lane(bt.Network, bt.Region), bt.Ledger, batchRef(bt))
}
