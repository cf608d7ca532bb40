package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
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
			// The canonical block is processed under its own batch ids;
			// this one's work is over.
			if err := h.batchDone(ctx, p); err != nil {
				return err
			}
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
		return h.batchDone(ctx, p)
	}
	var out []queuedDeliver
	matched := map[string]int{}
	for _, tm := range ix.CandidatesOf(b, p.Tenants) {
		id := tm.TenantID
		ds, n, err := h.evaluateTenant(ctx, p, prep, id, tm.Monitors)
		if err != nil {
			if ctx.Err() != nil {
				return err // shutting down: the whole batch is retried
			}
			h.cfg.Log.Error("tenant evaluation failed; other tenants of the batch continue",
				"tenant", id, "network", p.Network, "ledger", p.Ledger, "err", err)
			h.cfg.Metrics.ConfigErrors.WithLabelValues(id).Inc()
		}
		out = append(out, ds...)
		if n > 0 {
			matched[id] = n
		}
	}
	if err := h.cfg.Activity.Record(ctx, matched); err != nil {
		h.cfg.Log.Warn("record tenant activity", "tenants", len(matched), "err", err)
	}
	h.cfg.Metrics.BlockProcessing.WithLabelValues(p.Network, "evaluate").Observe(time.Since(start).Seconds())
	// The delivery log learns of every notification before its task is
	// in Redis: one whose task Redis then loses is found unfinished.
	if err := h.expect(ctx, p, out); err != nil {
		return err
	}
	// Deliver tasks of the whole batch are enqueued concurrently: each is
	// one Redis round trip. A failure (Redis) is worth a retry of the
	// batch: deliver TaskIDs dedupe what was already enqueued.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, q := range out {
		g.Go(func() error {
			if _, err := tasks.Enqueue(gctx, h.cfg.Client, q.task, q.opts...); err != nil {
				return fmt.Errorf("evaluate ledger %s/%d: tenant %s: %w", p.Network, p.Ledger, q.task.TenantID, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return h.batchDone(ctx, p)
}

// batchDone records the batch as evaluated with every deliver task
// enqueued. An unreachable progress store defers the batch (its retry
// enqueues nothing twice) rather than leave the ledger looking unfinished.
func (h *Handlers) batchDone(ctx context.Context, p tasks.EvaluateTenants) error {
	if h.cfg.Progress == nil {
		return nil
	}
	if err := h.cfg.Progress.MarkBatchDone(ctx, p.Network, p.Ledger, batchRef(p)); err != nil {
		return tasks.Defer(storeDelay(), fmt.Errorf("evaluate ledger %s/%d: %w", p.Network, p.Ledger, err))
	}
	return nil
}

// batchRef names a batch's task in the progress store.
func batchRef(p tasks.EvaluateTenants) store.BatchRef {
	return store.BatchRef{Queue: p.Queue(), TaskID: p.TaskID()}
}

// expect records the batch's notifications as pending. A malformed key is
// logged and the notification still enqueued (its record is made when it
// is sent); an unreachable log defers the batch.
func (h *Handlers) expect(ctx context.Context, p tasks.EvaluateTenants, out []queuedDeliver) error {
	if len(out) == 0 {
		return nil
	}
	ds := make([]store.ExpectedDelivery, len(out))
	for i, q := range out {
		d := q.task
		ds[i] = store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: d.TenantID, Monitor: d.Monitor, Network: d.Network,
			Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}, TaskID: d.TaskID(), Channel: q.channel}
	}
	err := h.cfg.Deliveries.ExpectDeliveries(ctx, ds)
	switch {
	case errors.Is(err, store.ErrInvalid):
		h.cfg.Log.Error("record expected deliveries", "network", p.Network, "ledger", p.Ledger, "err", err)
		return nil
	case err != nil:
		return tasks.Defer(storeDelay(), fmt.Errorf("evaluate ledger %s/%d: %w", p.Network, p.Ledger, err))
	}
	return nil
}

// queuedDeliver is a deliver task waiting to be enqueued, with its start
// time when the tenant's rate limit delays it.
type queuedDeliver struct {
	task    tasks.Deliver
	opts    []asynq.Option
	channel string // the trigger's type
}

// evaluateTenant evaluates one tenant's candidate monitors (those whose
// contracts the ledger touches, plus its address-less ones) and returns
// the deliver tasks to enqueue and the number of matches.
func (h *Handlers) evaluateTenant(ctx context.Context, p tasks.EvaluateTenants, prep *monitor.PreparedBlock, id string, mons []*monitor.CompiledMonitor) ([]queuedDeliver, int, error) {
	tn, ok := h.cfg.Tenants.Get(id)
	if !ok {
		return nil, 0, nil // removed or deactivated since the batch was made
	}
	h.cfg.Metrics.TenantEvaluations.WithLabelValues(id).Inc()
	matches, err := h.cfg.Engine.EvaluateTenant(ctx, id, prep, mons)
	if err != nil {
		return nil, 0, fmt.Errorf("tenant %s: %w", id, err)
	}
	if len(matches) == 0 {
		return nil, 0, nil
	}
	h.cfg.Metrics.Matches.WithLabelValues(p.Network).Add(float64(len(matches)))
	h.cfg.Metrics.TenantMatches.WithLabelValues(id).Add(float64(len(matches)))
	var ds []tasks.Deliver
	for _, m := range matches {
		js, err := m.MarshalOZJSON()
		if err != nil {
			return nil, len(matches), fmt.Errorf("tenant %s monitor %q: encode match: %w", id, m.MonitorName, err)
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
	out := make([]queuedDeliver, len(ds))
	for i, d := range ds {
		out[i].task = d
		if trig, ok := tn.Config.Triggers[d.Trigger]; ok {
			out[i].channel = string(trig.TriggerType)
		}
		if i < len(delays) && delays[i] > 0 {
			out[i].opts = append(out[i].opts, asynq.ProcessIn(delays[i]))
		}
		if h.cfg.DeliverRetention > 0 {
			out[i].opts = append(out[i].opts, asynq.Retention(h.cfg.DeliverRetention))
		}
	}
	return out, len(matches), nil
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
				"tenant", tenantID, "monitor", m.MonitorName, "script", notify.ShortScriptPath(c.ScriptPath))
			continue
		}
		start := time.Now()
		ok, err := h.cfg.Conditions.Allow(ctx, tenantID, c, js)
		h.cfg.Metrics.TenantScriptMs.WithLabelValues(tenantID).Add(float64(time.Since(start).Milliseconds()))
		if err != nil {
			h.cfg.Log.Warn("trigger condition failed; match kept", "tenant", tenantID, "monitor", m.MonitorName, "script", notify.ShortScriptPath(c.ScriptPath), "err", err)
			continue
		}
		if !ok {
			return false
		}
	}
	return true
}
