package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

// TestRedisDataLossIsRedriven: the scheduler enqueued all 20 ledgers, then
// Redis lost everything (a restart without persistence). The durable
// progress in PostgreSQL still lists them as unfinished; a recovery run
// finds their tasks gone and drives them again; every notification arrives
// exactly once.
func TestRedisDataLossIsRedriven(t *testing.T) {
	t.Parallel()
	p, want := fourTenants(t)
	p.startScheduler()
	p.advanceAll(10*time.Millisecond, nil)
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	ctx := context.Background()
	waitUntil(t, time.Minute, "every ledger to be scheduled", func() bool {
		c, ok, _ := p.st.Cursor(ctx, mainnet)
		return ok && c == lastLedger
	})
	p.stopAll() // the scheduler; no worker has run
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	p.startWorker(10, nil)

	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	m := metrics.New()
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log), scheduler.WithMetrics(m),
		scheduler.WithProgress(p.st, rdb))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, Tip: p.src, Recovery: scheduler.Recovery{Grace: time.Nanosecond}}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Recover(ctx, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Redriven) != lastLedger-firstLedger+1 {
		t.Fatalf("recovery re-drove %d ledgers (%v), want all %d lost", len(r.Redriven), r.Redriven, lastLedger-firstLedger+1)
	}
	p.waitDelivered(want, 2*time.Minute)
	waitUntil(t, time.Minute, "every ledger to complete", func() bool {
		r, err = s.Recover(ctx, mainnet)
		return err == nil && r.Completed == lastLedger && r.Unfinished == 0
	})
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive now
	assertOncePerID(t, p.sink.Requests(), want)
	if n := testutil.ToFloat64(m.LedgersRedriven.WithLabelValues(mainnet)); n != float64(lastLedger-firstLedger+1) {
		t.Fatalf("oz_monitor_ledgers_redriven_total = %v", n)
	}
}

// assertOncePerID checks that n notifications arrived, each once, each
// with its own Idempotency-Key.
func assertOncePerID(t *testing.T, reqs []ozmontest.SinkRequest, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range reqs {
		id := r.Header.Get("Idempotency-Key")
		if !strings.HasPrefix(id, "ntf_") {
			t.Fatalf("request without a notification id: %v", r.Header)
		}
		seen[id]++
	}
	if len(reqs) != n || len(seen) != n {
		t.Fatalf("%d requests with %d distinct ids, want %d notifications once each", len(reqs), len(seen), n)
	}
}

// oneDelivery sets up a pipeline with one tenant and returns the deliver
// task of one of its matches, not yet run.
func oneDelivery(t *testing.T, p *pipeline, trigger json.RawMessage) (string, tasks.Deliver) {
	t.Helper()
	_, blocks := mainnetLedgers(t)
	tg := rareTargets(blocks, 1)[0]
	cfg, raw := tenantConfig(t, "once", tg, "", p.sink.URL())
	if trigger != nil {
		raw.Triggers["hook"] = trigger
		cfg.Triggers["hook"] = parseTrigger(t, trigger)
	}
	id := p.importTenant("once", cfg, raw, "")
	var d tasks.Deliver
	for h, l := range tg.txs {
		d = tasks.Deliver{TenantID: id, Monitor: "once", Network: mainnet, Ledger: l, TxHash: h, Trigger: "hook", Tier: tasks.TierDefault,
			Vars: map[string]string{"monitor.name": "once", "transaction.hash": h}}
	}
	return id, d
}

// TestInDoubtWebhookIsResentWithTheSameID: an attempt started (the record
// says sending) and its worker died. The recovered task sends again — with
// the same notification id, so the receiver can drop the copy.
func TestInDoubtWebhookIsResentWithTheSameID(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.configure = func(c *handlers.Config) { c.InDoubt = handlers.InDoubtHold } // webhooks carry the id: resent anyway
	id, d := oneDelivery(t, p, nil)
	ctx := context.Background()
	key := store.DeliveryKey{TenantID: id, Monitor: d.Monitor, Network: d.Network, Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}
	if _, err := p.st.BeginDelivery(ctx, key, d.TaskID(), "webhook"); err != nil { // the attempt that died
		t.Fatal(err)
	}
	h, m := p.directHandlers(t)
	task, _ := tasks.NewTask(d)
	if err := h.Deliver(ctx, task); err != nil {
		t.Fatal(err)
	}
	reqs := p.sink.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Idempotency-Key") != d.NotificationID() {
		t.Fatalf("requests %d, id %q; want one carrying %s", len(reqs), reqs[0].Header.Get("Idempotency-Key"), d.NotificationID())
	}
	if n := testutil.ToFloat64(m.Deliveries.WithLabelValues("webhook", "in_doubt_resent")); n != 1 {
		t.Fatalf("in_doubt_resent = %v", n)
	}
	recs, _ := p.st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: id})
	if len(recs) != 1 || recs[0].Status != store.DeliveryDelivered || recs[0].Attempts != 2 {
		t.Fatalf("record = %+v", recs)
	}
}

// TestInDoubtChatIsHeldWhenAsked: Telegram has no id a receiver could use,
// so with notify.in_doubt = hold an in-doubt notification is not sent: the
// record says in_doubt and the task is archived for an operator.
func TestInDoubtChatIsHeldWhenAsked(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	p := newPipeline(t, dir)
	p.configure = func(c *handlers.Config) {
		c.InDoubt = handlers.InDoubtHold
		c.ChannelOptions = append(c.ChannelOptions, notify.TelegramBaseURL(p.sink.URL()))
	}
	tg := json.RawMessage(`{"name":"hook","trigger_type":"telegram","config":{"token":{"type":"plain","value":"123456:ABCdef"},
		"chat_id":"42","disable_web_preview":true,"message":{"title":"${monitor.name}","body":"${transaction.hash}"}}}`)
	id, d := oneDelivery(t, p, tg)
	ctx := context.Background()
	key := store.DeliveryKey{TenantID: id, Monitor: d.Monitor, Network: d.Network, Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}
	h, _ := p.directHandlers(t)
	task, _ := tasks.NewTask(d)
	// A fresh notification is sent (nothing in doubt)…
	if err := h.Deliver(ctx, task); err != nil {
		t.Fatal(err)
	}
	// …a second one of the same kind, whose first attempt died, is held.
	key.TxHash, d.TxHash = "ffff", "ffff"
	task, _ = tasks.NewTask(d)
	if _, err := p.st.BeginDelivery(ctx, key, d.TaskID(), "telegram"); err != nil {
		t.Fatal(err)
	}
	err := h.Deliver(ctx, task)
	if !errors.Is(err, asynq.SkipRetry) || !strings.Contains(err.Error(), "in doubt") {
		t.Fatalf("held delivery returned %v, want an archiving error that says in doubt", err)
	}
	if n := p.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d messages, want 1 (the in-doubt one held)", n)
	}
	recs, _ := p.st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: id, Status: store.DeliveryInDoubt})
	if len(recs) != 1 || recs[0].Key.TxHash != "ffff" {
		t.Fatalf("in_doubt records = %+v", recs)
	}
	// The operator's forced resend (the archived task run again) sends it.
	if err := h.Deliver(ctx, task); err != nil || p.sink.Count() != 2 {
		t.Fatalf("resend of a held notification: %v, %d messages", err, p.sink.Count())
	}
}

// flakyLog is the real delivery log whose outcome writes fail while down
// is set: PostgreSQL unreachable right after a receiver said 2xx.
type flakyLog struct {
	store.DeliveryLog
	down atomic.Bool
}

func (f *flakyLog) FinishDelivery(ctx context.Context, key store.DeliveryKey, st store.DeliveryStatus, msg string) error {
	if f.down.Load() {
		return errors.New("connection refused")
	}
	return f.DeliveryLog.FinishDelivery(ctx, key, st, msg)
}

func (f *flakyLog) BeginDelivery(ctx context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	if f.down.Load() {
		return store.Delivery{}, errors.New("connection refused")
	}
	return f.DeliveryLog.BeginDelivery(ctx, key, taskID, channel)
}

// flakyPipeline is a pipeline whose delivery log goes down as its
// receiver (answering as sinkOpts say) answers the first request.
func flakyPipeline(t *testing.T, sinkOpts ...ozmontest.WebhookSinkOption) (*pipeline, *flakyLog) {
	t.Helper()
	dir, _ := mainnetLedgers(t)
	p := newPipeline(t, dir)
	flaky := &flakyLog{DeliveryLog: p.st}
	p.records = flaky
	p.configure = func(c *handlers.Config) { c.OutcomeWriteTimeout = 300 * time.Millisecond }
	sinkOpts = append(sinkOpts, ozmontest.SinkOnRequest(func(ozmontest.SinkRequest) { flaky.down.Store(true) }))
	p.sink = ozmontest.StartWebhookSink(t, sinkOpts...)
	return p, flaky
}

// workOne enqueues d and starts a worker for it.
func (p *pipeline) workOne(t *testing.T, d tasks.Deliver) taskWatch {
	t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { client.Close(); rdb.Close() })
	if _, err := tasks.Enqueue(context.Background(), client, d); err != nil {
		t.Fatal(err)
	}
	p.startWorker(2, nil)
	return taskWatch{asynq.NewInspectorFromRedisClient(rdb)}
}

// taskWatch looks at deliver tasks in Redis.
type taskWatch struct{ insp *asynq.Inspector }

// info is the task's state; ok is false while it cannot be read.
func (w taskWatch) info(d tasks.Deliver) (*asynq.TaskInfo, bool) {
	info, err := w.insp.GetTaskInfo(tasks.NotifyQueue(d.Tier), d.TaskID())
	return info, err == nil
}

// waitKept waits until d's task waits for a retry with outcome kept on it.
func (w taskWatch) waitKept(t *testing.T, d tasks.Deliver, outcome store.DeliveryStatus) {
	t.Helper()
	waitUntil(t, time.Minute, "the outcome to be kept on the task", func() bool {
		info, ok := w.info(d)
		return ok && info.State == asynq.TaskStateRetry && strings.Contains(string(info.Result), `"outcome":"`+string(outcome)+`"`)
	})
}

// TestOutcomeKeptOnTaskWhenDeliveryLogIsDown: the receiver accepted the
// notification but PostgreSQL would not take the outcome. The outcome is
// kept on the task, the task waits, and once PostgreSQL is back the
// outcome is recorded without sending again.
func TestOutcomeKeptOnTaskWhenDeliveryLogIsDown(t *testing.T) {
	t.Parallel()
	// The send succeeds; PostgreSQL goes away as the receiver answers.
	p, flaky := flakyPipeline(t)
	id, d := oneDelivery(t, p, nil)
	ctx := context.Background()
	p.workOne(t, d).waitKept(t, d, store.DeliveryDelivered)
	flaky.down.Store(false)
	waitUntil(t, time.Minute, "the outcome to be recorded", func() bool {
		recs, _ := p.st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: id})
		return len(recs) == 1 && recs[0].Status == store.DeliveryDelivered
	})
	if n := p.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d requests, want 1: the retry must record the kept outcome, not resend", n)
	}
}

// TestHangingTenantDoesNotHoldTheNotifyPool: tenant A's endpoint hangs
// far longer than this test waits; tenant B's alerts must all arrive
// meanwhile, although A's notifications came first and the pool is small.
func TestHangingTenantDoesNotHoldTheNotifyPool(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	hang := ozmontest.StartWebhookSink(t, ozmontest.SinkDefault(ozmontest.SinkResponse{Delay: 10 * time.Minute}))
	p.configure = func(c *handlers.Config) {
		c.TenantInFlight, c.DestinationInFlight = 1, 4
		c.ChannelOptions = append(c.ChannelOptions, notify.WithTimeout(10*time.Minute))
	}
	var busyA, busyB []eventTarget
	for _, tg := range rareTargets(blocks, 40) {
		if len(tg.txs) >= 5 {
			busyA = append(busyA, tg)
		} else if len(tg.txs) >= 2 {
			busyB = append(busyB, tg)
		}
	}
	if len(busyA) == 0 || len(busyB) == 0 {
		t.Fatal("no suitable targets in the ledgers")
	}
	cfgA, rawA := tenantConfig(t, "hanging", busyA[0], "", hang.URL())
	p.importTenant("hanging", cfgA, rawA, "")
	cfgB, rawB := tenantConfig(t, "healthy", busyB[0], "", p.sink.URL())
	p.importTenant("healthy", cfgB, rawB, "")
	p.startWorker(4, nil) // notify pool of 4: A alone could fill it
	p.startScheduler()
	p.advanceAll(10*time.Millisecond, nil)
	if _, err := p.sink.WaitFor(len(busyB[0].txs), 30*time.Second); err != nil {
		t.Fatalf("healthy tenant got %d of %d alerts while another tenant's endpoint hangs: %v", p.sink.Count(), len(busyB[0].txs), err)
	}
	if n := hang.Count(); n > 1 {
		t.Fatalf("the hanging endpoint holds %d requests, want at most its tenant's bound of 1", n)
	}
	t.Logf("hanging tenant: %d notifications, %d in flight; healthy tenant: all %d delivered", len(busyA[0].txs), hang.Count(), p.sink.Count())
}

// directHandlers are handlers (and their metrics) a test calls directly,
// without a worker; closed when the test ends.
func (p *pipeline) directHandlers(t *testing.T) (*handlers.Handlers, *metrics.Metrics) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rdb := redis.NewClient(p.rdbOpts)
	m := metrics.New()
	h, _, client := p.newHandlers(ctx, rdb, m)
	t.Cleanup(func() { cancel(); client.Close(); rdb.Close() })
	return h, m
}

// TestRedisLossWithDeliveriesQueued: every ledger completed — fetched,
// evaluated, every deliver task enqueued — but no notification was sent
// yet when Redis lost everything. Nothing is unfinished in the ledger
// progress; the notifications are pending in the delivery log, and the
// scheduler's Redis mark shows the loss: their ledgers are re-driven and
// every notification arrives once.
func TestRedisLossWithDeliveriesQueued(t *testing.T) {
	t.Parallel()
	p, want := fourTenants(t)
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	ctx := context.Background()
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log), scheduler.WithProgress(p.st, rdb))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, Tip: p.src, Recovery: scheduler.Recovery{Grace: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	// A worker that fetches and evaluates but sends nothing.
	p.startWorker(4, map[string]int{tasks.QueueBlocks: 2, tasks.EvalQueue(tasks.TierDefault): 1})
	for p.sim.Tip() < lastLedger {
		if _, err := p.sim.Advance(1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tick(ctx, mainnet); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, time.Minute, "every ledger to complete", func() bool {
		r, err := s.Recover(ctx, mainnet)
		return err == nil && r.Completed == lastLedger && r.Unfinished == 0
	})
	if n := p.sink.Count(); n != 0 {
		t.Fatalf("%d notifications sent by a worker that drains no notify queue", n)
	}
	p.stopAll()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	p.startWorker(10, nil)
	r, err := s.Recover(ctx, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if !r.RedisLost || len(r.Redriven) == 0 {
		t.Fatalf("recovery after the loss = %+v; want the loss seen and ledgers re-driven", r)
	}
	p.waitDelivered(want, 2*time.Minute)
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive now
	assertOncePerID(t, p.sink.Requests(), want)
}

// fourTenants is a pipeline with four tenants watching rare events, and
// the number of notifications they expect over the ledgers.
func fourTenants(t *testing.T) (*pipeline, int) {
	t.Helper()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	want := 0
	for i, tg := range rareTargets(blocks, 3)[:4] {
		cfg, raw := tenantConfig(t, fmt.Sprintf("t%d", i), tg, "", p.sink.URL())
		p.importTenant(fmt.Sprintf("t%d", i), cfg, raw, "")
		want += len(tg.txs)
	}
	return p, want
}
