package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

// Auto-resolve (a trigger's auto_resolve_after) closes what a PagerDuty or
// Opsgenie notification opened once its monitor has had no further match
// through that trigger for that long.
//
// Where the timer lives, and why there: each delivered notification arms
// one delayed asynq task (tasks.Resolve) whose TaskID is derived from the
// notification's id, plus one Redis key per (tenant, trigger, monitor)
// holding the latest delivery time. The task is in Redis like every other
// task, so it survives worker restarts and deploys; asynq hands it to one
// worker, so it runs once however many workers there are; its TaskID makes
// a retried, in-doubt or replayed delivery arm nothing new. When it runs,
// the quiet period is measured from the latest delivery: if a later match
// moved it on, the task re-arms itself for the new end (a new task, its
// TaskID naming that end) instead of resolving. Each notification thus
// resolves its own incident (its own dedup_key or alias), when its monitor
// has gone quiet. A sorted set scanned by the scheduler would need a
// scanner, a lease and a lock of its own to do what asynq already does for
// every task; a single re-armed task per monitor cannot be moved later in
// asynq without deleting it, which races with the worker running it.
//
// Without Redis in Config (tests), the timer still runs, measured from the
// notification's own delivery.

// quietKeyTTL keeps a monitor's latest delivery time past any timer that
// reads it.
const quietKeyTTL = 24 * time.Hour

// latestScript keeps the larger of the stored and given Unix milliseconds.
var latestScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// quietKey names the latest delivery time of a (tenant, trigger, monitor).
// Names may hold any character, so they are hashed, not joined.
func quietKey(tenant, trigger, monitor string) string {
	sum := sha256.Sum256([]byte(trigger + "\x00" + monitor))
	return "ozmon:notify:quiet:" + tenant + ":" + hex.EncodeToString(sum[:16])
}

// armResolve records a delivery of p at sentAt and arms its resolve timer.
// It is idempotent: a second call for the same notification moves nothing
// back and enqueues nothing new.
func (h *Handlers) armResolve(ctx context.Context, p tasks.Deliver, trig *ozconfig.Trigger, sentAt time.Time) error {
	after := notify.AutoResolveAfter(trig)
	if after <= 0 {
		return nil
	}
	if h.cfg.Redis != nil {
		ttl := (after + quietKeyTTL).Milliseconds()
		if err := latestScript.Run(ctx, h.cfg.Redis, []string{quietKey(p.TenantID, p.Trigger, p.Monitor)}, sentAt.UnixMilli(), ttl).Err(); err != nil {
			return fmt.Errorf("record the delivery time for auto-resolve: %w", err)
		}
	}
	r := tasks.Resolve{TenantID: p.TenantID, Monitor: p.Monitor, Network: p.Network, Trigger: p.Trigger, Tier: p.Tier,
		NotificationID: p.NotificationID(), SentAt: sentAt}
	if _, err := tasks.Enqueue(ctx, h.cfg.Client, r, asynq.ProcessAt(ceilSecond(sentAt.Add(after)))); err != nil {
		return fmt.Errorf("arm auto-resolve: %w", err)
	}
	return nil
}

// latestDelivery is the latest delivery time through (tenant, trigger,
// monitor) that Redis knows of, or zero.
func (h *Handlers) latestDelivery(ctx context.Context, p tasks.Resolve) (time.Time, error) {
	if h.cfg.Redis == nil {
		return time.Time{}, nil
	}
	v, err := h.cfg.Redis.Get(ctx, quietKey(p.TenantID, p.Trigger, p.Monitor)).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("latest delivery time %q: %w", v, err)
	}
	return time.UnixMilli(ms), nil
}

// rearm enqueues the timer again, to run at due.
func (h *Handlers) rearm(ctx context.Context, p tasks.Resolve, due time.Time, paced bool) error {
	p.Due, p.Paced = due, paced
	if _, err := tasks.Enqueue(ctx, h.cfg.Client, p, asynq.ProcessAt(ceilSecond(due))); err != nil {
		return fmt.Errorf("re-arm auto-resolve of %s: %w", p.TaskID(), err)
	}
	return nil
}

// Resolve handles resolve: it sends the resolve event (PagerDuty) or closes
// the alert (Opsgenie) of one delivered notification once its monitor has
// been quiet for the trigger's auto_resolve_after, with the trigger's
// retry policy, the vendor's Retry-After, the tenant's rate limit and the
// in-flight bounds, like a delivery. A failure that exhausts the policy
// archives the task (asynq's dead-letter queue), where it can be run again.
// Nothing of it is written to the delivery log, which records
// notifications; outcomes are counted in oz_monitor_deliveries_total with
// the outcomes resolved, resolve_retry and resolve_archived.
func (h *Handlers) Resolve(ctx context.Context, t *asynq.Task) error {
	var p tasks.Resolve
	if err := tasks.Decode(t, &p); err != nil {
		return err
	}
	what := fmt.Sprintf("resolve tenant %s monitor %q trigger %q notification %s", p.TenantID, p.Monitor, p.Trigger, p.NotificationID)
	tn, ok := h.cfg.Tenants.Get(p.TenantID)
	if !ok {
		return fmt.Errorf("%s: tenant is not active: %w", what, asynq.SkipRetry)
	}
	trig, ok := tn.Config.Triggers[p.Trigger]
	after := notify.AutoResolveAfter(trig)
	if !ok || after <= 0 {
		// The trigger is gone or no longer resolves: the incident is the
		// tenant's to close now.
		h.cfg.Log.Info("auto-resolve no longer configured; not resolving", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "notification_id", p.NotificationID)
		return nil
	}
	channel := string(trig.TriggerType)
	ch, err := h.channel(p.TenantID, trig)
	if err != nil {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "resolve_archived").Inc()
		return fmt.Errorf("%s: %w: %w", what, err, asynq.SkipRetry)
	}
	r, ok := ch.(notify.Resolver)
	if !ok {
		return nil // the trigger changed to a type that has nothing to resolve
	}
	latest, err := h.latestDelivery(ctx, p)
	if err != nil {
		return tasks.Defer(storeDelay(), fmt.Errorf("%s: read the latest delivery time: %w", what, err))
	}
	now := time.Now()
	// A later delivery moved the quiet period on: wait for its end. A
	// re-armed timer running before its own Due only meets another
	// worker's clock running ahead; re-arming for the same Due would
	// collide with its own TaskID and lose the timer, so it resolves.
	if due := later(latest, p.SentAt).Add(after); due.After(now) && (p.Due.IsZero() || due.After(p.Due)) {
		return h.rearm(ctx, p, due, false)
	}
	if h.cfg.RateLimiter != nil && !p.Paced {
		if wait, err := h.cfg.RateLimiter.Reserve(ctx, p.TenantID); err == nil && wait > 0 {
			return h.rearm(ctx, p, now.Add(wait), true)
		}
	}
	release, why, ok := h.inflight.acquire(ctx, p.TenantID, notify.Destination(ch))
	if !ok {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "deferred").Inc()
		return tasks.Defer(why.deferFor(rand.N(time.Second)), fmt.Errorf("%s: %s has the most deliveries in flight it may hold", what, fullWhat(why.full, p.TenantID, notify.Destination(ch))))
	}
	defer release()
	err = r.Resolve(ctx, notify.Notification{ID: p.NotificationID, TenantID: p.TenantID, Monitor: p.Monitor, Network: p.Network,
		Vars: map[string]string{"monitor.name": p.Monitor}})
	if err == nil {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "resolved").Inc()
		h.cfg.Log.Info("auto-resolved", "tenant", p.TenantID, "monitor", p.Monitor, "trigger", p.Trigger, "notification_id", p.NotificationID, "quiet_for", after)
		return nil
	}
	policy := notify.RetryPolicy(trig)
	attempt, _ := asynq.GetRetryCount(ctx)
	exhausted := attempt >= int(policy.MaxRetries)
	if maxRetry, ok := asynq.GetMaxRetry(ctx); ok && attempt >= maxRetry {
		exhausted = true
	}
	if !notify.IsRetryable(err) || exhausted {
		h.cfg.Metrics.Deliveries.WithLabelValues(channel, "resolve_archived").Inc()
		return fmt.Errorf("%s: attempt %d: %w: %w", what, attempt+1, err, asynq.SkipRetry)
	}
	h.cfg.Metrics.Deliveries.WithLabelValues(channel, "resolve_retry").Inc()
	delay := notify.Backoff(policy, attempt)
	var se *notify.SendError
	if errors.As(err, &se) && se.RetryAfter > delay {
		delay = se.RetryAfter
	}
	return tasks.RetryIn(delay, fmt.Errorf("%s: attempt %d: %w", what, attempt+1, err))
}

// ceilSecond rounds t up to a whole second: asynq keeps a scheduled task's
// time in whole seconds, truncated, and a timer must not run early.
func ceilSecond(t time.Time) time.Time {
	if c := t.Truncate(time.Second); c.Before(t) {
		return c.Add(time.Second)
	}
	return t
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
