package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/tasks"
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
	fetcher, ok := h.cfg.Fetchers[p.Network]
	if !ok {
		return fmt.Errorf("fetch ledger %d: network %q is not served by this worker: %w", p.Ledger, p.Network, asynq.SkipRetry)
	}
	start := time.Now()
	b, err := h.cfg.Cache.GetOrFetch(ctx, p.Network, p.Ledger, func(ctx context.Context) (*chain.Block, error) {
		b, err := fetcher.FetchBlock(ctx, p.Ledger)
		h.cfg.Metrics.RPCCalls.WithLabelValues(p.Network, "getLedgers", outcome(err)).Inc()
		return b, err
	})
	if err != nil {
		return fmt.Errorf("fetch ledger %s/%d: %w", p.Network, p.Ledger, err)
	}
	h.cfg.Metrics.BlockProcessing.WithLabelValues(p.Network, "fetch").Observe(time.Since(start).Seconds())

	ix := h.cfg.Tenants.Index(p.Network)
	if ix == nil {
		return nil
	}
	cands := ix.Candidates(b)
	if len(cands) == 0 {
		return nil
	}
	ids := make([]string, 0, len(cands))
	for _, c := range cands {
		ids = append(ids, c.TenantID)
	}
	var scores map[string]float64
	if h.cfg.Strategy == ActivityBased {
		if scores, err = h.cfg.Activity.Scores(ctx, ids); err != nil {
			h.cfg.Log.Warn("activity scores unavailable; batching by hash", "err", err)
		}
	}
	list := make([]Candidate, 0, len(cands))
	for _, c := range cands {
		tier := tasks.TierDefault
		if tn, ok := h.cfg.Tenants.Get(c.TenantID); ok {
			tier = tn.Tier()
		}
		list = append(list, Candidate{TenantID: c.TenantID, Tier: tier, Monitors: len(c.Monitors), Activity: scores[c.TenantID]})
	}
	batches := Batches(h.cfg.Strategy, list, h.cfg.MaxTenantsPerBatch, h.cfg.Tenants.TierTotal)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, bt := range batches {
		g.Go(func() error {
			_, err := tasks.Enqueue(gctx, h.cfg.Client, tasks.EvaluateTenants{
				Network: p.Network, Ledger: p.Ledger, Batch: bt.Key, Tier: bt.Tier, Tenants: bt.Tenants, ScheduledAt: p.ScheduledAt,
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("fan out ledger %s/%d: %w", p.Network, p.Ledger, err)
	}
	return nil
}

func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
