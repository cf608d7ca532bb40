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
)

// Deliver handles deliver: one notification, sent at most once to a
// receiver that acknowledges it. The delivery record is read before
// sending, so a task retried after a successful send (a worker that died
// before acknowledging) does not send again.
func (h *Handlers) Deliver(ctx context.Context, t *asynq.Task) error {
	var p tasks.Deliver
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	key := store.DeliveryKey{TenantID: p.TenantID, Monitor: p.Monitor, Network: p.Network, Ledger: p.Ledger, TxHash: p.TxHash, Trigger: p.Trigger}
	tn, ok := h.cfg.Tenants.Get(p.TenantID)
	if !ok {
		return fmt.Errorf("deliver %s: tenant is not active: %w", key, asynq.SkipRetry)
	}
	trig, ok := tn.Config.Triggers[p.Trigger]
	if !ok {
		h.finish(ctx, key, store.DeliveryArchived, "trigger no longer exists")
		return fmt.Errorf("deliver %s: trigger does not exist: %w", key, asynq.SkipRetry)
	}
	rec, err := h.cfg.Deliveries.BeginDelivery(ctx, key, p.TaskID(), string(trig.TriggerType))
	if err != nil {
		return fmt.Errorf("deliver %s: %w", key, err)
	}
	if rec.Status == store.DeliveryDelivered {
		h.cfg.Log.Info("notification already delivered; not resending", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger)
		return nil
	}
	ch, err := h.channel(p.TenantID, trig)
	if err != nil {
		h.finish(ctx, key, store.DeliveryArchived, err.Error())
		h.cfg.Metrics.Deliveries.WithLabelValues(string(trig.TriggerType), "invalid").Inc()
		return fmt.Errorf("deliver %s: %w: %w", key, err, asynq.SkipRetry)
	}
	err = ch.Send(ctx, notify.Notification{TenantID: p.TenantID, Vars: p.Vars, MatchJSON: p.Match})
	channel := string(trig.TriggerType)
	if err == nil {
		h.finish(ctx, key, store.DeliveryDelivered, "")
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "delivered").Inc()
		h.cfg.Metrics.TenantDeliveries.WithLabelValues(p.TenantID).Inc()
		if !p.LedgerClosedAt.IsZero() {
			h.cfg.Metrics.EndToEnd.WithLabelValues(p.Network).Observe(time.Since(p.LedgerClosedAt).Seconds())
		}
		return nil
	}
	policy := notify.RetryPolicy(trig)
	attempt, _ := asynq.GetRetryCount(ctx)
	exhausted := attempt >= int(policy.MaxRetries)
	if maxRetry, ok := asynq.GetMaxRetry(ctx); ok && attempt >= maxRetry {
		exhausted = true // asynq would archive it anyway: say so in the record
	}
	if !notify.IsRetryable(err) || exhausted {
		h.finish(ctx, key, store.DeliveryArchived, err.Error())
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "archived").Inc()
		return fmt.Errorf("deliver %s: attempt %d: %w: %w", key, attempt+1, err, asynq.SkipRetry)
	}
	h.finish(ctx, key, store.DeliveryFailed, err.Error())
	h.cfg.Metrics.Deliveries.WithLabelValues(channel, "retry").Inc()
	delay := notify.Backoff(policy, attempt)
	var se *notify.SendError
	if errors.As(err, &se) && se.RetryAfter > delay {
		delay = se.RetryAfter
	}
	return tasks.RetryIn(delay, fmt.Errorf("deliver %s: attempt %d: %w", key, attempt+1, err))
}

// finish records an outcome; a record that cannot be written is logged,
// not fatal: the queue still knows the task's state.
func (h *Handlers) finish(ctx context.Context, key store.DeliveryKey, st store.DeliveryStatus, msg string) {
	if err := h.cfg.Deliveries.FinishDelivery(context.WithoutCancel(ctx), key, st, msg); err != nil {
		h.cfg.Log.Error("record delivery outcome", "delivery", key.String(), "status", st, "err", err)
	}
}

// channelKey names a tenant's trigger; the cached channel is rebuilt when
// a reload hands a new *monitor.Trigger for it, so the cache holds one
// entry per (tenant, trigger) whatever the number of reloads.
type channelKey struct {
	tenant, trigger string
}

type cachedChannel struct {
	trigger *monitor.Trigger
	ch      notify.Channel
}

func (h *Handlers) channel(tenantID string, t *monitor.Trigger) (notify.Channel, error) {
	k := channelKey{tenantID, t.Key}
	if c, ok := h.channels.Load(k); ok && c.(cachedChannel).trigger == t {
		return c.(cachedChannel).ch, nil
	}
	ch, err := notify.New(t, h.cfg.ChannelOptions...)
	if err != nil {
		return nil, err
	}
	h.channels.Store(k, cachedChannel{t, ch})
	return ch, nil
}
