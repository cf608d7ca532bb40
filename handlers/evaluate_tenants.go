package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/tasks"
	"golang.org/x/sync/errgroup"
)

// EvaluateTenants handles evaluate-tenants: it reads the ledger from the
// cache (refetching once across pods on a miss), evaluates each tenant of
// the batch, applies trigger_conditions and enqueues one deliver task per
// (match, trigger). A tenant that fails is reported and skipped; the rest
// of the batch is still evaluated. Deliver TaskIDs make a retry of the
// batch enqueue nothing twice.
func (h *Handlers) EvaluateTenants(ctx context.Context, t *asynq.Task) error {
	var p tasks.EvaluateTenants
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	start := time.Now()
	b, fetcher, err := h.block(ctx, "evaluate", p.Network, p.Ledger)
	if err != nil {
		return err
	}
	if p.BlockHash != "" && b.Hash != p.BlockHash {
		// The cache holds another version of this height (a reorg): ask
		// the node for the one the batch was made from.
		if b, err = fetcher.FetchBlock(ctx, p.Ledger); err != nil {
			return fmt.Errorf("evaluate ledger %s/%d: refetch after reorg: %w", p.Network, p.Ledger, err)
		}
		if b.Hash != p.BlockHash {
			return fmt.Errorf("evaluate ledger %s/%d: block %s was replaced by %s: %w", p.Network, p.Ledger, p.BlockHash, b.Hash, asynq.SkipRetry)
		}
		if err := h.cfg.Cache.Put(ctx, b); err != nil {
			return err
		}
	}
	prep, err := h.prepared.get(h.cfg.Engine, b)
	if err != nil {
		return fmt.Errorf("evaluate ledger %s/%d: prepare: %w", p.Network, p.Ledger, err)
	}
	ix := h.cfg.Tenants.Index(p.Network)
	if ix == nil {
		return nil
	}
	var errs []error
	for _, tm := range ix.CandidatesOf(b, p.Tenants) {
		id := tm.TenantID
		if err := h.evaluateTenant(ctx, p, prep, id, tm.Monitors); err != nil {
			if ctx.Err() != nil {
				return err // shutting down: the whole batch is retried
			}
			h.cfg.Log.Error("tenant evaluation failed; other tenants of the batch continue",
				"tenant", id, "network", p.Network, "ledger", p.Ledger, "err", err)
			h.cfg.Metrics.ConfigErrors.WithLabelValues(id).Inc()
			errs = append(errs, err)
		}
	}
	h.cfg.Metrics.BlockProcessing.WithLabelValues(p.Network, "evaluate").Observe(time.Since(start).Seconds())
	// Enqueue failures (Redis) are worth a retry of the batch: deliver
	// TaskIDs dedupe what was already enqueued.
	for _, err := range errs {
		var ee *enqueueError
		if errors.As(err, &ee) {
			return fmt.Errorf("evaluate ledger %s/%d: %w", p.Network, p.Ledger, err)
		}
	}
	return nil
}

type enqueueError struct{ err error }

func (e *enqueueError) Error() string { return e.err.Error() }
func (e *enqueueError) Unwrap() error { return e.err }

// evaluateTenant evaluates one tenant's candidate monitors (those whose
// contracts the ledger touches, plus its address-less ones).
func (h *Handlers) evaluateTenant(ctx context.Context, p tasks.EvaluateTenants, prep *monitor.PreparedBlock, id string, mons []*monitor.CompiledMonitor) error {
	tn, ok := h.cfg.Tenants.Get(id)
	if !ok {
		return nil // removed or deactivated since the batch was made
	}
	h.cfg.Metrics.TenantEvaluations.WithLabelValues(id).Inc()
	matches, err := h.cfg.Engine.EvaluateTenant(ctx, id, prep, mons)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", id, err)
	}
	if len(matches) == 0 {
		return nil
	}
	h.cfg.Metrics.Matches.WithLabelValues(p.Network).Add(float64(len(matches)))
	h.cfg.Metrics.TenantMatches.WithLabelValues(id).Add(float64(len(matches)))
	if err := h.cfg.Activity.Record(ctx, id, len(matches)); err != nil {
		h.cfg.Log.Warn("record activity", "tenant", id, "err", err)
	}
	var ds []tasks.Deliver
	for _, m := range matches {
		js, err := m.MarshalOZJSON()
		if err != nil {
			return fmt.Errorf("tenant %s monitor %q: encode match: %w", id, m.MonitorName, err)
		}
		if !h.conditionsAllow(ctx, id, m, js) {
			continue
		}
		vars := m.Variables()
		for _, trig := range m.Monitor.Config.Triggers {
			if _, ok := tn.Config.Triggers[trig]; !ok {
				continue // reported when the tenant was loaded
			}
			ds = append(ds, tasks.Deliver{
				TenantID: id, Monitor: m.MonitorName, Network: p.Network, Ledger: p.Ledger,
				TxHash: txHash(m), Trigger: trig, Tier: tn.Tier(), Vars: vars, Match: js, ScheduledAt: p.ScheduledAt,
				LedgerClosedAt: m.LedgerCloseTime,
			})
		}
	}
	// The tenant's rate limit turns into start times: past its burst, a
	// flooding tenant's notifications are scheduled into the future rather
	// than queued in front of other tenants' alerts. Delayed, never dropped.
	var delays []time.Duration
	if h.cfg.RateLimiter != nil && len(ds) > 0 {
		if delays, err = h.cfg.RateLimiter.ReserveN(ctx, id, len(ds)); err != nil {
			h.cfg.Log.Warn("rate limiter unavailable; notifications not paced", "tenant", id, "err", err)
			delays = nil
		}
	}
	// Deliver tasks are enqueued concurrently: each is one Redis round trip
	// and a busy tenant can have hundreds per ledger.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, d := range ds {
		var opts []asynq.Option
		if i < len(delays) && delays[i] > 0 {
			opts = append(opts, asynq.ProcessIn(delays[i]))
		}
		g.Go(func() error {
			if _, err := tasks.Enqueue(gctx, h.cfg.Client, d, opts...); err != nil {
				return &enqueueError{fmt.Errorf("tenant %s: %w", id, err)}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return nil
}

func txHash(m *monitor.Match) string {
	if m.Transaction != nil {
		return m.Transaction.Hash
	}
	return ""
}

// conditionsAllow runs the monitor's trigger_conditions. As in
// OpenZeppelin Monitor, a condition that errors (or cannot run because
// scripts are disabled) does not veto the match: losing an alert is worse
// than an extra one. The failure is logged with the tenant and monitor.
func (h *Handlers) conditionsAllow(ctx context.Context, tenantID string, m *monitor.Match, js []byte) bool {
	for _, c := range m.Monitor.Config.TriggerConditions {
		if h.cfg.Conditions == nil {
			h.cfg.Log.Warn("trigger condition not run: scripts are disabled; match kept",
				"tenant", tenantID, "monitor", m.MonitorName, "script", c.ScriptPath)
			continue
		}
		start := time.Now()
		ok, err := h.cfg.Conditions.Allow(ctx, tenantID, c, js)
		h.cfg.Metrics.TenantScriptMs.WithLabelValues(tenantID).Add(float64(time.Since(start).Milliseconds()))
		if err != nil {
			h.cfg.Log.Warn("trigger condition failed; match kept", "tenant", tenantID, "monitor", m.MonitorName, "script", c.ScriptPath, "err", err)
			continue
		}
		if !ok {
			return false
		}
	}
	return true
}
