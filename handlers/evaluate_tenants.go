package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"golang.org/x/sync/errgroup"
)

// EvaluateTenants handles evaluate-tenants: it reads the ledger from the
// cache (refetching once across pods on a miss), evaluates each tenant of
// the batch, applies trigger_conditions and enqueues one deliver task per
// (match, trigger). A tenant that fails is reported and skipped; the rest
// of the batch is still evaluated. Deliver TaskIDs make a retry of the
// batch enqueue nothing twice.
//
// Matches without trigger_conditions are enqueued first; the conditions
// run after, each tenant's in its own goroutine under its own time budget
// (runConditions), so a tenant's slow script delays only that tenant's
// notifications.
func (h *Handlers) EvaluateTenants(ctx context.Context, t *asynq.Task) error {
	var p tasks.EvaluateTenants
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	b, fetcher, _, err := h.block(ctx, "evaluate", p.Network, p.Ledger)
	if err != nil {
		return err
	}
	if p.BlockHash != "" && b.Hash != p.BlockHash {
		// The cache holds another version of this height (a reorg): ask
		// the node for the one the batch was made from.
		if b, _, err = h.fetch(ctx, p.Network, fetcher, p.Ledger); err != nil {
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
	var held []heldMatches
	var ready []encodedMatch // published to the live stream once enqueued
	matched := map[string]int{}
	for _, tm := range ix.CandidatesOfPrepared(prep, p.Tenants) {
		id := tm.TenantID
		ds, hm, n, err := h.evaluateTenant(ctx, p, prep, id, tm.Monitors)
		if err != nil {
			if ctx.Err() != nil {
				return err // shutting down: the whole batch is retried
			}
			h.cfg.Log.Error("tenant evaluation failed; other tenants of the batch continue",
				"tenant", id, "network", p.Network, "ledger", p.Ledger, "err", err)
			h.cfg.Metrics.TenantConfigError(id)
		}
		out = append(out, ds...)
		ready = append(ready, hm.ready...)
		if len(hm.matches) > 0 {
			held = append(held, hm)
		}
		if n > 0 {
			matched[id] = n
		}
	}
	if h.cfg.Strategy == ActivityBased {
		// Only activity_based batching reads it: other strategies spend no
		// Redis write on it.
		if err := h.cfg.Activity.Record(ctx, matched); err != nil {
			h.cfg.Log.Warn("record tenant activity", "tenants", len(matched), "err", err)
		}
	}
	if err := h.enqueueDelivers(ctx, p, out); err != nil {
		return err
	}
	h.publishMatches(ctx, ready)
	if err := h.runConditions(ctx, p, held); err != nil {
		return err
	}
	return h.batchDone(ctx, p)
}

// enqueueDelivers records deliver tasks as expected, then enqueues them.
// The delivery log learns of every notification before its task is in
// Redis: one whose task Redis then loses is found unfinished.
func (h *Handlers) enqueueDelivers(ctx context.Context, p tasks.EvaluateTenants, out []queuedDeliver) error {
	if err := h.expect(ctx, p, out); err != nil {
		return err
	}
	// Deliver tasks are enqueued concurrently: each is one Redis round
	// trip. A failure (Redis) is worth a retry of the batch: deliver
	// TaskIDs dedupe what was already enqueued.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, q := range out {
		g.Go(func() error {
			var pl tasks.Payload = q.task
			if q.js != nil {
				pl = tasks.Encoded{Payload: q.task, JSON: q.js}
			}
			if _, err := tasks.Enqueue(gctx, h.cfg.Client, pl, q.opts...); err != nil {
				return fmt.Errorf("evaluate ledger %s/%d: tenant %s: %w", p.Network, p.Ledger, q.task.TenantID, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// batchDone records the batch as evaluated with every deliver task
// enqueued. An unreachable progress store defers the batch (its retry
// enqueues nothing twice) rather than leave the ledger looking unfinished.
func (h *Handlers) batchDone(ctx context.Context, p tasks.EvaluateTenants) error {
	if h.cfg.Progress == nil {
		return nil
	}
	// Written together with the batches finishing meanwhile (doneMarks).
	if err := h.marks.mark(ctx, store.BatchDone{Network: tasks.Lane(p.Network, p.Region), Ledger: p.Ledger, Batch: batchRef(p)}); err != nil {
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
	for i := range out {
		d := out[i].task
		// Encoded once: the record keeps it compacted, the task carries it.
		out[i].js = h.encodeDeliver(d)
		ds[i] = store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: d.TenantID, Monitor: d.Monitor, Network: d.Network,
			Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}, TaskID: d.TaskID(), Channel: out[i].channel,
			LedgerClosedAt: d.LedgerClosedAt, Payload: h.keptPayload(ctx, d, out[i].js)}
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

// keptPayload is what the delivery record keeps of d for a resend once
// its task has left Redis: the compacted payload (js is the task's own
// encoding), or nothing when it is over MaxPayloadBytes (logged, with the
// tenant, monitor and sizes) or its tenant is over its max_storage_mb
// (storageCapped). The notification itself is sent either way.
func (h *Handlers) keptPayload(ctx context.Context, d tasks.Deliver, js []byte) []byte {
	if js == nil {
		return nil // encodeDeliver said why
	}
	if h.storageCapped(ctx, d.TenantID) {
		h.cfg.Metrics.PayloadsNotKept.WithLabelValues("over_max_storage_mb").Inc()
		return nil
	}
	b := h.codec.CompactJSON(js)
	if len(b) > h.cfg.MaxPayloadBytes {
		h.cfg.Metrics.PayloadsNotKept.WithLabelValues("over_max_payload_bytes").Inc()
		h.cfg.Log.Warn("notification payload over storage.max_payload_bytes; its record keeps none, so once its task leaves Redis it cannot be resent",
			"tenant", d.TenantID, "monitor", d.Monitor, "trigger", d.Trigger, "ledger", d.Ledger, "bytes", len(b), "max_payload_bytes", h.cfg.MaxPayloadBytes)
		return nil
	}
	return b
}

// encodeDeliver is d's task payload, or nil (logged) when it does not
// encode: the record is then kept without it, and enqueuing the task
// reports the error.
func (h *Handlers) encodeDeliver(d tasks.Deliver) []byte {
	js, err := d.MarshalJSON()
	if err != nil {
		h.cfg.Log.Error("encode notification payload; record kept without it", "tenant", d.TenantID, "monitor", d.Monitor, "err", err)
		return nil
	}
	return js
}

// queuedDeliver is a deliver task waiting to be enqueued, with its start
// time when the tenant's rate limit delays it.
type queuedDeliver struct {
	task    tasks.Deliver
	opts    []asynq.Option
	channel string // the trigger's type
	js      []byte // the task's payload, once expect has encoded it
}

// evaluateTenant evaluates one tenant's candidate monitors (those whose
// contracts the ledger touches, plus its address-less ones) and returns
// the deliver tasks to enqueue, the matches held for their
// trigger_conditions, and the number of matches.
func (h *Handlers) evaluateTenant(ctx context.Context, p tasks.EvaluateTenants, prep *monitor.PreparedBlock, id string, mons []*monitor.CompiledMonitor) ([]queuedDeliver, heldMatches, int, error) {
	tn, ok := h.cfg.Tenants.Get(id)
	if !ok {
		return nil, heldMatches{}, 0, nil // removed or deactivated since the batch was made
	}
	h.cfg.Metrics.TenantEvaluated(id)
	start := h.cfg.Usage.Start()
	matches, err := h.cfg.Engine.EvaluateTenant(ctx, id, prep, mons)
	h.cfg.Usage.Evaluated(id, start, len(mons), len(matches))
	if err != nil {
		return nil, heldMatches{}, 0, fmt.Errorf("tenant %s: %w", id, err)
	}
	if len(matches) == 0 {
		return nil, heldMatches{}, 0, nil
	}
	h.cfg.Metrics.Matches.WithLabelValues(p.Network).Add(float64(len(matches)))
	h.cfg.Metrics.TenantMatched(id, len(matches))
	ready := make([]encodedMatch, 0, len(matches))
	held := heldMatches{tenantID: id, tenant: tn}
	for _, m := range matches {
		ref, err := m.MarshalOZRef()
		if err != nil {
			return nil, heldMatches{}, len(matches), fmt.Errorf("tenant %s monitor %q: encode match: %w", id, m.MonitorName, err)
		}
		refJS, err := json.Marshal(ref)
		if err != nil {
			return nil, heldMatches{}, len(matches), fmt.Errorf("tenant %s monitor %q: encode match reference: %w", id, m.MonitorName, err)
		}
		if len(m.Monitor.Config.TriggerConditions) > 0 && h.cfg.Conditions != nil {
			// Conditions read the whole MonitorMatch; tasks do not carry it.
			js, err := m.MarshalOZJSON()
			if err != nil {
				return nil, heldMatches{}, len(matches), fmt.Errorf("tenant %s monitor %q: encode match: %w", id, m.MonitorName, err)
			}
			held.matches = append(held.matches, encodedMatch{m: m, js: js, ref: refJS})
			continue
		}
		h.conditionsDisabled(id, m)
		ready = append(ready, encodedMatch{m: m, ref: refJS})
	}
	if h.cfg.Live != nil {
		held.ready = ready
	}
	return h.delivers(ctx, p, id, tn, ready), held, len(matches), nil
}

// encodedMatch is a match with what its deliver tasks carry: the match
// reference (monitor.MatchRef). js, the whole MonitorMatch JSON, is set
// only for a match whose trigger_conditions still have to read it.
type encodedMatch struct {
	m   *monitor.Match
	js  []byte
	ref []byte
}

// heldMatches are a tenant's matches of a batch whose trigger_conditions
// have yet to run.
type heldMatches struct {
	tenantID string
	tenant   *tenants.Tenant
	matches  []encodedMatch
	// ready are the tenant's matches without conditions, kept for the
	// live stream (only when it is on).
	ready []encodedMatch
}

// delivers turns a tenant's matches into deliver tasks, one per (match,
// trigger), paced by the tenant's rate limit.
func (h *Handlers) delivers(ctx context.Context, p tasks.EvaluateTenants, id string, tn *tenants.Tenant, matches []encodedMatch) []queuedDeliver {
	var ds []tasks.Deliver
	for _, em := range matches {
		m := em.m
		vars := m.Variables()
		for _, trig := range m.Monitor.Config.Triggers {
			if _, ok := tn.Config.Triggers[trig]; !ok {
				continue // reported when the tenant was loaded
			}
			ds = append(ds, tasks.Deliver{
				TenantID: id, Monitor: m.MonitorName, Network: p.Network, Ledger: p.Ledger,
				TxHash: txHash(m), Trigger: trig, Tier: tn.Tier, Vars: vars, MatchRef: em.ref, ScheduledAt: p.ScheduledAt,
				LedgerClosedAt: m.LedgerCloseTime,
			})
		}
	}
	// The tenant's rate limit turns into start times: past its burst, a
	// flooding tenant's notifications are scheduled into the future rather
	// than queued in front of other tenants' alerts. Delayed, never dropped.
	var delays []time.Duration
	if h.cfg.RateLimiter != nil && len(ds) > 0 {
		var err error
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
	return out
}

func txHash(m *monitor.Match) string {
	if m.Transaction != nil {
		return m.Transaction.Hash
	}
	return ""
}

// conditionsDisabled logs a match's trigger_conditions that cannot run
// because scripts are disabled: the match is kept.
func (h *Handlers) conditionsDisabled(tenantID string, m *monitor.Match) {
	for _, c := range m.Monitor.Config.TriggerConditions {
		h.cfg.Log.Warn("trigger condition not run: scripts are disabled; match kept",
			"tenant", tenantID, "monitor", m.MonitorName, "script", notify.ShortScriptPath(c.ScriptPath))
	}
}

// conditionReserve is the part of the batch's deadline kept for enqueuing
// what the conditions let through.
const conditionReserve = 10 * time.Second

// conditionTenants bounds how many tenants of one batch run conditions at
// once (each runs one script at a time), so that a batch of 200 tenants
// does not start 200 interpreters together. A tenant's budget starts when
// it gets its turn.
const conditionTenants = 32

// runConditions runs the held matches' trigger_conditions and enqueues the
// notifications of the matches they keep. Each tenant's conditions run in
// a goroutine of their own (up to conditionTenants tenants at once), one
// script at a time in array order as OpenZeppelin Monitor runs them, under
// the tenant's budget for this batch (Config.ConditionBudget, and never
// past the batch's deadline less conditionReserve): a tenant whose scripts
// are slow spends its own budget, not another tenant's time, and each
// tenant's notifications are enqueued as soon as its own conditions are
// done.
//
// A condition that the budget cuts short, or that the budget leaves no
// time to start, keeps its match, as a failing or timed-out condition does
// in OpenZeppelin Monitor: an extra alert, never a lost one.
//
// Why here and not in a task of their own or in the deliver task: the
// batch is marked done only after every kept match's deliver task is
// enqueued, so a worker lost mid-way, or Redis losing the batch, leaves
// the ledger unfinished and it is evaluated again (deliver TaskIDs dedupe
// what was already enqueued) — the "every alert arrives once" guarantee
// stays the batch's. A separate condition task would need its own durable
// tracking in the progress store, and the deliver task would run a match's
// conditions once per trigger, where OpenZeppelin runs them once per match,
// and would need a "filtered" state in the delivery log.
func (h *Handlers) runConditions(ctx context.Context, p tasks.EvaluateTenants, held []heldMatches) error {
	if len(held) == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conditionTenants)
	for _, hm := range held {
		g.Go(func() error {
			bctx, cancel := h.conditionBudget(gctx)
			defer cancel()
			keep := make([]encodedMatch, 0, len(hm.matches))
			skipped := 0
			for _, em := range hm.matches {
				if bctx.Err() != nil {
					skipped++
					keep = append(keep, em)
					continue
				}
				if h.conditionsAllow(bctx, hm.tenantID, em.m, em.js) {
					keep = append(keep, em)
				}
			}
			if err := gctx.Err(); err != nil {
				return err // shutting down, or another tenant's enqueue failed: the batch is retried
			}
			if skipped > 0 {
				h.cfg.Log.Warn("trigger conditions not run: the tenant's condition budget for the batch is spent; matches kept",
					"tenant", hm.tenantID, "network", p.Network, "ledger", p.Ledger, "matches", skipped, "budget", h.cfg.ConditionBudget)
			}
			if err := h.enqueueDelivers(gctx, p, h.delivers(gctx, p, hm.tenantID, hm.tenant, keep)); err != nil {
				return err
			}
			h.publishMatches(gctx, keep)
			return nil
		})
	}
	return g.Wait()
}

// conditionBudget is the context one tenant's conditions run under.
func (h *Handlers) conditionBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	end := time.Now().Add(h.cfg.ConditionBudget)
	if d, ok := ctx.Deadline(); ok && d.Add(-conditionReserve).Before(end) {
		end = d.Add(-conditionReserve)
	}
	return context.WithDeadline(ctx, end)
}

// conditionsAllow runs the monitor's trigger_conditions. As in
// OpenZeppelin Monitor, a condition that errors (or times out) does not
// veto the match: losing an alert is worse than an extra one. The failure
// is logged with the tenant and monitor.
func (h *Handlers) conditionsAllow(ctx context.Context, tenantID string, m *monitor.Match, js []byte) bool {
	for _, c := range m.Monitor.Config.TriggerConditions {
		start := time.Now()
		ok, err := h.cfg.Conditions.Allow(ctx, tenantID, c, js)
		h.cfg.Metrics.TenantScriptTime(tenantID, time.Since(start))
		if err != nil {
			h.cfg.Log.Warn("trigger condition failed; match kept", "tenant", tenantID, "monitor", m.MonitorName,
				"script", notify.ShortScriptPath(c.ScriptPath), "err", err)
			continue
		}
		if !ok {
			return false
		}
	}
	return true
}
