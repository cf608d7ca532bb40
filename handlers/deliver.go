package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/usage"
)

// InDoubtPolicy is what a deliver task does with a notification whose
// earlier attempt started and never recorded an outcome (its worker died
// mid-send, or the outcome could not be written), when the channel carries
// no id the receiver could deduplicate on.
type InDoubtPolicy string

const (
	// InDoubtResend sends again: at least once; a chat message may repeat.
	InDoubtResend InDoubtPolicy = "resend"
	// InDoubtHold records the notification in_doubt and archives the task:
	// an operator resends it (`ozmon admin deliveries retry --force`) or not.
	InDoubtHold InDoubtPolicy = "hold"
)

// Deliver handles deliver: one notification, identified by a notification
// id that every attempt sends, so receivers that honour it see it once.
//
// The delivery record is read (and the attempt counted) before sending:
//   - delivered: a retried or replayed task sends nothing;
//   - sending: an earlier attempt never recorded its outcome. If that
//     attempt left its outcome on the task (written when PostgreSQL
//     refused it), the outcome is recorded now and nothing is sent;
//     otherwise the notification is in doubt and is sent again with the
//     same id — or, for a channel without ids, held when the operator
//     asked for that.
//
// Outcomes are written with retries; one that still cannot be written is
// kept on the task and the task is deferred, so a PostgreSQL outage never
// leaves a delivered notification looking unsent.
func (h *Handlers) Deliver(ctx context.Context, t *asynq.Task) error {
	var p tasks.Deliver
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	key := store.DeliveryKey{TenantID: p.TenantID, Monitor: p.Monitor, Network: p.Network, Ledger: p.Ledger, TxHash: p.TxHash, Trigger: p.Trigger}
	if !h.cfg.NoCloseTimeWrites {
		ctx = withLedgerClosedAt(ctx, p.LedgerClosedAt)
	}
	tn, ok := h.cfg.Tenants.Get(p.TenantID)
	if !ok {
		return fmt.Errorf("deliver %s: tenant is not active: %w", key, asynq.SkipRetry)
	}
	trig, ok := tn.Config.Triggers[p.Trigger]
	if !ok {
		h.cfg.Usage.Delivery(p.TenantID, usage.Archived)
		return h.final(ctx, t, key, store.DeliveryArchived, "trigger no longer exists", fmt.Errorf("deliver %s: trigger does not exist", key))
	}
	channel := string(trig.TriggerType)
	ch, chErr := h.channel(p.TenantID, trig)
	dest := "invalid"
	if chErr == nil {
		dest = notify.Destination(ch)
	}
	release, why, ok := h.inflight.acquire(ctx, p.TenantID, dest)
	if !ok {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "deferred").Inc()
		return tasks.Defer(why.deferFor(rand.N(time.Second)), fmt.Errorf("deliver %s: %s has the most deliveries in flight it may hold (none finished for %s)",
			key, fullWhat(why.full, p.TenantID, dest), why.stuck.Round(time.Millisecond)))
	}
	defer release()

	rec, err := h.beginDelivery(ctx, key, p.TaskID(), channel)
	if errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("deliver %s: %w: %w", key, err, asynq.SkipRetry)
	}
	if err != nil {
		// The delivery log is unreachable: not the notification's fault,
		// so the task waits without spending its retries.
		return tasks.Defer(storeDelay(), fmt.Errorf("deliver %s: %w", key, err))
	}
	if rec.Status == store.DeliveryDelivered {
		h.cfg.Log.Info("notification already delivered; not resending", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger)
		// An earlier run may have delivered and failed to arm the
		// auto-resolve timer; arming again is a no-op otherwise.
		if chErr == nil && rec.DeliveredAt != nil {
			if err := h.armResolve(ctx, p, trig, *rec.DeliveredAt); err != nil {
				return tasks.Defer(storeDelay(), fmt.Errorf("deliver %s: delivered: %w", key, err))
			}
		}
		return nil
	}
	if chErr != nil {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "invalid").Inc()
		h.cfg.Usage.Delivery(p.TenantID, usage.Archived)
		return h.final(ctx, t, key, store.DeliveryArchived, chErr.Error(), fmt.Errorf("deliver %s: %w", key, chErr))
	}
	if rec.Previous == store.DeliverySending {
		if done, err := h.inDoubt(ctx, t, p, key, ch, channel); done || err != nil {
			return err
		}
	}

	n := notify.Notification{ID: p.NotificationID(), TenantID: p.TenantID, Vars: p.Vars, Monitor: p.Monitor, Network: p.Network, MatchedAt: p.LedgerClosedAt}
	if notify.UsesMatchJSON(ch) {
		if n.MatchJSON, err = h.matchJSON(tn, p); err != nil {
			h.cfg.Metrics.Deliveries.WithLabelValues(channel, "invalid").Inc()
			h.cfg.Usage.Delivery(p.TenantID, usage.Archived)
			return h.final(ctx, t, key, store.DeliveryArchived, err.Error(), fmt.Errorf("deliver %s: %w", key, err))
		}
	}
	err = ch.Send(ctx, n)
	if err == nil {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "delivered").Inc()
		h.cfg.Metrics.TenantDelivered(p.TenantID)
		h.cfg.Usage.Delivery(p.TenantID, usage.Delivered)
		if !p.LedgerClosedAt.IsZero() {
			h.cfg.Metrics.EndToEnd.WithLabelValues(p.Network).Observe(time.Since(p.LedgerClosedAt).Seconds())
		}
		if !h.finish(ctx, t, key, store.DeliveryDelivered, "") {
			return tasks.Defer(storeDelay(), fmt.Errorf("deliver %s: delivered, outcome kept on the task until the delivery log takes it", key))
		}
		if err := h.armResolve(ctx, p, trig, time.Now()); err != nil {
			// Delivered and recorded: the next run sends nothing and arms again.
			return tasks.Defer(storeDelay(), fmt.Errorf("deliver %s: delivered: %w", key, err))
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
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "archived").Inc()
		h.cfg.Usage.Delivery(p.TenantID, usage.FailedArchived)
		return h.final(ctx, t, key, store.DeliveryArchived, err.Error(), fmt.Errorf("deliver %s: attempt %d: %w", key, attempt+1, err))
	}
	h.finish(ctx, t, key, store.DeliveryFailed, err.Error())
	h.cfg.Metrics.Deliveries.WithLabelValues(channel, "retry").Inc()
	h.cfg.Usage.Delivery(p.TenantID, usage.FailedRetried)
	delay := notify.Backoff(policy, attempt)
	var se *notify.SendError
	if errors.As(err, &se) && se.RetryAfter > delay {
		delay = se.RetryAfter
	}
	return tasks.RetryIn(delay, fmt.Errorf("deliver %s: attempt %d: %w", key, attempt+1, err))
}

// matchJSON rebuilds the notification's MonitorMatch JSON. A task carries
// a reference to its monitor (tasks.Deliver.MatchRef), not the monitor, so
// the monitor's configuration comes from the tenant's configuration as it
// is at send time:
//   - unchanged since the match: the JSON OpenZeppelin Monitor sends, byte
//     for byte;
//   - changed: "monitor" is the current configuration, and a matched
//     expression the monitor no longer has is null (never another one's
//     text);
//   - deleted: the notification is still sent (the match happened while
//     the monitor existed, and a lost alert is worse than a late one), with
//     "monitor" {"name": ...} and the expressions null.
//
// A version-1 task carries its whole MonitorMatch and is sent as it is.
func (h *Handlers) matchJSON(tn *tenants.Tenant, p tasks.Deliver) ([]byte, error) {
	if len(p.MatchRef) == 0 {
		return p.Match, nil
	}
	var ref monitor.MatchRef
	if err := json.Unmarshal(p.MatchRef, &ref); err != nil {
		return nil, fmt.Errorf("decode the match reference of monitor %q: %w", p.Monitor, err)
	}
	var cm *monitor.CompiledMonitor
	for _, m := range tn.Monitors {
		if m.Name == p.Monitor {
			cm = m
			break
		}
	}
	if cm == nil {
		h.cfg.Log.Info("monitor deleted since its match; sending the match with the monitor's name only",
			"tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger)
	} else if sum, _ := cm.ConfigSum(); sum != ref.ConfigSum {
		h.cfg.Log.Info("monitor changed since its match; sending its current configuration",
			"tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger)
	}
	return ref.Expand(cm, p.Monitor)
}

// inDoubt settles a notification whose earlier attempt left no outcome.
// done reports that the task is finished (err is then its result).
func (h *Handlers) inDoubt(ctx context.Context, t *asynq.Task, p tasks.Deliver, key store.DeliveryKey, ch notify.Channel, channel string) (done bool, err error) {
	if note, ok := h.keptOutcome(ctx); ok {
		// The earlier attempt knew its outcome but could not record it.
		switch note.Outcome {
		case store.DeliveryDelivered:
			if !h.finish(ctx, t, key, store.DeliveryDelivered, "") {
				return true, tasks.Defer(storeDelay(), fmt.Errorf("deliver %s: delivered by an earlier attempt, outcome still kept on the task", key))
			}
			h.cfg.Log.Info("notification delivered by an earlier attempt; outcome recorded now, not resent", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger)
			return true, nil
		case store.DeliveryArchived, store.DeliveryInDoubt:
			// Final: recorded now, and the task ends as it would have.
			return true, h.final(ctx, t, key, note.Outcome, note.Error, fmt.Errorf("deliver %s: %s by an earlier attempt: %s", key, note.Outcome, note.Error))
		}
		return false, nil // it failed: an ordinary retry
	}
	if !notify.CarriesID(ch) && h.cfg.InDoubt == InDoubtHold {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "in_doubt_held").Inc()
		h.cfg.Usage.Delivery(p.TenantID, usage.Archived)
		h.cfg.Log.Warn("notification in doubt; held for an operator", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger, "notification_id", p.NotificationID())
		return true, h.final(ctx, t, key, store.DeliveryInDoubt, "an earlier attempt started and recorded no outcome; held by notify.in_doubt = hold",
			fmt.Errorf("deliver %s: in doubt, held for an operator (ozmon admin deliveries retry --force resends it)", key))
	}
	h.cfg.Metrics.Deliveries.WithLabelValues(channel, "in_doubt_resent").Inc()
	h.cfg.Log.Warn("notification in doubt; resending with the same notification id", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "ledger", p.Ledger, "notification_id", p.NotificationID(), "receiver_dedupes", notify.CarriesID(ch))
	return false, nil
}

// outcomeNote is what an attempt leaves on its task (asynq's result field)
// when the delivery log would not take its outcome.
type outcomeNote struct {
	Outcome store.DeliveryStatus `json:"outcome"`
	// Error is the outcome's message (already cut and masked by whoever
	// made it: a channel's SendError, a fixed text).
	Error string `json:"error,omitempty"`
}

// keptOutcome reads the outcome an earlier attempt left on this task.
func (h *Handlers) keptOutcome(ctx context.Context) (outcomeNote, bool) {
	if h.insp == nil {
		return outcomeNote{}, false
	}
	id, _ := asynq.GetTaskID(ctx)
	queue, _ := asynq.GetQueueName(ctx)
	info, err := h.insp.GetTaskInfo(queue, id)
	if err != nil || len(info.Result) == 0 {
		return outcomeNote{}, false
	}
	var n outcomeNote
	if json.Unmarshal(info.Result, &n) != nil || !n.Outcome.Valid() {
		return outcomeNote{}, false
	}
	return n, true
}

// final records a final outcome (archived, in doubt) and returns err as
// not to be retried. An outcome the delivery log would not take is kept
// on the task (finish) and the task deferred instead: archived now, its
// record would stay in sending, which nothing retries and `admin
// deliveries retry` skips; its next run records the kept outcome without
// sending again.
func (h *Handlers) final(ctx context.Context, t *asynq.Task, key store.DeliveryKey, st store.DeliveryStatus, msg string, err error) error {
	if !h.finish(ctx, t, key, st, msg) {
		return tasks.Defer(storeDelay(), fmt.Errorf("%w; outcome %s kept on the task until the delivery log takes it", err, st))
	}
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}

// unstorableMessage replaces an outcome message the delivery log refuses
// (store.ErrInvalid), so the outcome itself is still recorded.
const unstorableMessage = "the outcome's message could not be stored"

// finish records an outcome, retrying for a few seconds; a message the
// delivery log refuses as invalid is replaced by unstorableMessage at
// once. An outcome that still cannot be written is kept on the task so
// the next attempt can record it; finish then reports false. A record
// that does not exist needs no outcome: finish reports true.
func (h *Handlers) finish(ctx context.Context, t *asynq.Task, key store.DeliveryKey, st store.DeliveryStatus, msg string) bool {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.OutcomeWriteTimeout)
	defer cancel()
	var err error
	for wait := 100 * time.Millisecond; wctx.Err() == nil; wait *= 2 {
		err = h.finishDelivery(wctx, key, st, msg)
		if err == nil || errors.Is(err, store.ErrNotFound) {
			h.publishOutcome(ctx, key, st)
			return true
		}
		if errors.Is(err, store.ErrInvalid) && msg != unstorableMessage {
			msg = unstorableMessage
			continue
		}
		select {
		case <-wctx.Done():
		case <-time.After(wait):
		}
	}
	h.cfg.Log.Error("record delivery outcome; keeping it on the task", "delivery", key.String(), "status", st, "err", err)
	if t != nil && t.ResultWriter() != nil {
		note, _ := json.Marshal(outcomeNote{Outcome: st, Error: msg})
		if _, werr := t.ResultWriter().Write(note); werr != nil {
			h.cfg.Log.Error("keep delivery outcome on the task", "delivery", key.String(), "status", st, "err", werr)
		}
	}
	return false
}

func fullWhat(full, tenant, dest string) string {
	if full == "destination" {
		return "destination " + dest
	}
	return "tenant " + tenant
}

// storeDelay is how long a delivery waits for an unreachable delivery log.
func storeDelay() time.Duration { return 2*time.Second + rand.N(2*time.Second) }

// channelKey names a tenant's trigger; the cached channel is rebuilt when
// a reload hands a new *ozconfig.Trigger for it, so the cache holds one
// entry per (tenant, trigger) whatever the number of reloads.
type channelKey struct {
	tenant, trigger string
}

type cachedChannel struct {
	trigger *ozconfig.Trigger
	ch      notify.Channel
}

func (h *Handlers) channel(tenantID string, t *ozconfig.Trigger) (notify.Channel, error) {
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
