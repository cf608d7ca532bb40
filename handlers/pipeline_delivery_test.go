package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

// fastRetries makes a tenant's webhook retry quickly, at most n times.
func fastRetries(t *testing.T, raw json.RawMessage, n int) json.RawMessage {
	t.Helper()
	policy := `"retry_policy":{"max_retries":` + string(rune('0'+n)) + `,"base_for_backoff":2,"initial_backoff":{"secs":0,"nanos":200000000},"max_backoff":{"secs":1,"nanos":0},"jitter":"none"},`
	return json.RawMessage(strings.Replace(string(raw), `"method":"POST",`, `"method":"POST",`+policy, 1))
}

// TestDeadReceiverIsArchivedThenReplayedOnce: a receiver failing every
// attempt gets max_retries+1 attempts, the task is archived (the record
// says so); a replay (asynqmon's "run", `ozmon admin deliveries retry`)
// delivers it once the receiver is back; a second replay is refused.
func TestDeadReceiverIsArchivedThenReplayedOnce(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	// The sink fails the first 3 requests: 1 attempt + 2 retries.
	p := newPipeline(t, dir, ozmontest.SinkFailTimes(3, 503))
	tg := rareTargets(blocks, 1)[0]
	cfg, raw := tenantConfig(t, "flaky", tg, "", p.sink.URL())
	raw.Triggers["hook"] = fastRetries(t, raw.Triggers["hook"], 2)
	cfg.Triggers["hook"] = parseTrigger(t, raw.Triggers["hook"])
	id := p.importTenant("flaky", cfg, raw, "")
	p.startWorker(5, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)

	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	q := tasks.NotifyQueue(tasks.TierDefault)
	var archived []*asynq.TaskInfo
	waitUntil(t, time.Minute, "the delivery to be archived", func() bool {
		archived, _ = insp.ListArchivedTasks(q)
		return len(archived) == 1
	})
	if n := p.sink.Count(); n != 3 {
		t.Fatalf("receiver got %d attempts, want 3 (1 + max_retries 2)", n)
	}
	recs, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
	if err != nil || len(recs) != 1 || recs[0].Status != store.DeliveryArchived || recs[0].Attempts != 3 || !strings.Contains(recs[0].LastError, "503") {
		t.Fatalf("delivery record = %+v (%v)", recs, err)
	}
	if strings.Contains(recs[0].LastError, p.sink.URL()) {
		t.Fatalf("record leaks the receiver URL: %s", recs[0].LastError)
	}
	// Replay: the receiver is healthy again.
	if err := insp.RunTask(q, archived[0].ID); err != nil {
		t.Fatal(err)
	}
	p.waitDelivered(4, time.Minute)
	recs, _ = p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
	if recs[0].Status != store.DeliveryDelivered {
		t.Fatalf("after replay: %+v", recs[0])
	}
	// A second replay (asynq lets a completed task be run again) is
	// refused by the handler: the record says delivered.
	if err := insp.RunTask(q, archived[0].ID); err == nil {
		waitUntil(t, time.Minute, "the second replay to be processed", func() bool {
			info, err := insp.GetTaskInfo(q, archived[0].ID)
			return err == nil && info.State == asynq.TaskStateCompleted
		})
	}
	// So does a duplicate task of the same notification run directly.
	var d tasks.Deliver
	if err := json.Unmarshal(archived[0].Payload, &d); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, _, client := p.newHandlers(ctx, rdb, metrics.New())
	defer client.Close()
	task, _ := tasks.NewTask(d)
	if err := h.Deliver(ctx, task); err != nil {
		t.Fatal(err)
	}
	if n := p.sink.Count(); n != 4 {
		t.Fatalf("receiver got %d requests after a resend of a delivered notification, want 4", n)
	}
}

// TestWorkerDyingAfterSendDoesNotDuplicate runs the deliver handler twice
// on the same task, as asynq does when a worker dies after the receiver
// answered 2xx but before the task was acknowledged: one notification.
func TestWorkerDyingAfterSendDoesNotDuplicate(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	tg := rareTargets(blocks, 1)[0]
	cfg, raw := tenantConfig(t, "once", tg, "", p.sink.URL())
	id := p.importTenant("once", cfg, raw, "")
	var tx string
	var ledger uint64
	for h, l := range tg.txs {
		tx, ledger = h, l
	}
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, _, client := p.newHandlers(ctx, rdb, metrics.New())
	defer client.Close()
	task, err := tasks.NewTask(tasks.Deliver{TenantID: id, Monitor: "once", Network: mainnet, Ledger: ledger, TxHash: tx, Trigger: "hook",
		Vars: map[string]string{"monitor.name": "once", "transaction.hash": tx}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := h.Deliver(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d notifications, want exactly 1", n)
	}
	recs, _ := p.st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: id})
	if len(recs) != 1 || recs[0].Status != store.DeliveryDelivered || recs[0].Attempts != 1 || recs[0].DeliveredAt == nil {
		t.Fatalf("record = %+v", recs)
	}
}

// TestRetryAfterIsHonoured: a 429 with Retry-After: 2 delays the next
// attempt by at least two seconds (a lower bound, so not a flaky timing).
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir, ozmontest.SinkRateLimited(1, "2"))
	tg := rareTargets(blocks, 1)[0]
	cfg, raw := tenantConfig(t, "limited", tg, "", p.sink.URL())
	raw.Triggers["hook"] = fastRetries(t, raw.Triggers["hook"], 3)
	cfg.Triggers["hook"] = parseTrigger(t, raw.Triggers["hook"])
	p.importTenant("limited", cfg, raw, "")
	p.startWorker(5, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)
	reqs := p.waitDelivered(2, time.Minute)
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 2*time.Second {
		t.Fatalf("second attempt %s after a 429 with Retry-After: 2", gap)
	}
}

// TestFloodingTenantDoesNotHoldUpOthers: tenant A matches every
// transaction of the 20 ledgers (thousands of notifications); tenant B has
// one alert. With a per-tenant rate limit, A's excess is scheduled into
// the future instead of queued, so B's alert is sent after at most A's
// burst, not after thousands.
func TestFloodingTenantDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	const burst = 50
	p.limit = notify.Limit{Rate: 0.1, Burst: burst} // past the burst, one every 10 s
	total := 0
	for _, b := range blocks {
		total += len(b.Transactions)
	}
	flood, rawF := tenantConfig(t, "flood", rareTargets(blocks, 1)[0], "", p.sink.URL())
	// Replace the monitor with one that has no conditions at all: on
	// Stellar it matches every transaction of every ledger.
	everything := []byte(`{"name":"flood","paused":false,"networks":["stellar_mainnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[]},"trigger_conditions":[],"triggers":["hook"]}`)
	flood.Monitors["flood"] = parseMonitor(t, everything)
	rawF.Monitors["flood"] = everything
	p.importTenant("flood", flood, rawF, "")
	last := blocks[len(blocks)-1]
	var single eventTarget
	for _, tg := range rareTargets(blocks, 1) {
		for _, l := range tg.txs {
			if l == last.Ledger {
				single = tg
			}
		}
	}
	if single.txs == nil {
		t.Fatal("no rare target in the last ledger")
	}
	cfgB, rawB := tenantConfig(t, "single", single, "", p.sink.URL())
	p.importTenant("single", cfgB, rawB, "")
	p.startWorker(20, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)
	var pos = -1
	waitUntil(t, 2*time.Minute, "tenant B's alert", func() bool {
		for i, r := range p.sink.Requests() {
			if strings.Contains(string(r.Body), `"title":"single"`) {
				pos = i
				return true
			}
		}
		return false
	})
	t.Logf("flooding tenant: %d matches in the ledgers; B's alert was request #%d", total, pos+1)
	if pos > burst+5 {
		t.Fatalf("B's alert came after %d of the flooding tenant's notifications (burst %d)", pos, burst)
	}
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.WaitUntil(t, timeout, what, cond)
}
