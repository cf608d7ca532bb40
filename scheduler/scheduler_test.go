package scheduler_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

type env struct {
	rdb     *redis.Client
	client  *asynq.Client
	insp    *asynq.Inspector
	cursors *memory.Store
	tip     atomic.Uint64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	o := testkit.Redis(t)
	opt := asynq.RedisClientOpt{Addr: o.Addr, DB: o.DB}
	e := &env{rdb: redis.NewClient(o), client: asynq.NewClient(opt), insp: asynq.NewInspector(opt), cursors: memory.New()}
	t.Cleanup(func() { e.client.Close(); e.insp.Close(); e.rdb.Close() })
	return e
}

func (e *env) network(conf, maxPast uint64) scheduler.Network {
	return scheduler.Network{Slug: "stellar_testnet", ConfirmationBlocks: conf, MaxPastBlocks: maxPast,
		Tip: scheduler.TipFunc(func(context.Context) (uint64, error) { return e.tip.Load(), nil })}
}

func (e *env) queued(t *testing.T) []uint64 {
	t.Helper()
	list, err := e.insp.ListPendingTasks(tasks.QueueBlocks, asynq.PageSize(10000))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		t.Fatal(err)
	}
	var out []uint64
	for _, ti := range list {
		var p tasks.FetchBlock
		if err := tasks.Decode(asynq.NewTask(ti.Type, ti.Payload), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Ledger)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestTickEnqueuesEveryLedgerAfterCursorOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := scheduler.New(e.client, e.cursors)
	if err := s.AddNetwork(e.network(2, 0)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.tip.Store(102)
	r, err := s.Tick(ctx, "stellar_testnet")
	if err != nil {
		t.Fatal(err)
	}
	if r.Target != 100 || r.Enqueued != 1 {
		t.Fatalf("first tick = %+v, want only the confirmed tip 100", r)
	}
	e.tip.Store(106)
	if r, err = s.Tick(ctx, "stellar_testnet"); err != nil || r.Enqueued != 4 || r.From != 101 || r.To != 104 {
		t.Fatalf("second tick = %+v, %v; want 101..104", r, err)
	}
	// Same tip again: nothing new.
	if r, err = s.Tick(ctx, "stellar_testnet"); err != nil || r.Enqueued != 0 {
		t.Fatalf("idle tick = %+v, %v", r, err)
	}
	got := e.queued(t)
	want := []uint64{100, 101, 102, 103, 104}
	if len(got) != len(want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("queued %v, want %v", got, want)
		}
	}
	if cur, ok, _ := e.cursors.Cursor(ctx, "stellar_testnet"); !ok || cur != 104 {
		t.Fatalf("cursor = %d %v, want 104", cur, ok)
	}
}

func TestTwoSchedulersEnqueueEachLedgerOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	// Both start from a cursor far behind, with separate cursor stores so
	// they really race over the same ledgers.
	a := scheduler.New(e.client, e.cursors)
	bCursors := memory.New()
	b := scheduler.New(e.client, bCursors)
	for _, c := range []*memory.Store{e.cursors, bCursors} {
		if err := c.AdvanceCursor(ctx, "stellar_testnet", 999); err != nil {
			t.Fatal(err)
		}
	}
	_ = a.AddNetwork(e.network(0, 0))
	_ = b.AddNetwork(e.network(0, 0))
	e.tip.Store(1200)
	var wg sync.WaitGroup
	results := make([]scheduler.TickResult, 2)
	for i, s := range []*scheduler.Scheduler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Tick(ctx, "stellar_testnet")
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	if total := results[0].Enqueued + results[1].Enqueued; total != 201 {
		t.Fatalf("enqueued %d+%d, want 201 in total", results[0].Enqueued, results[1].Enqueued)
	}
	if got := e.queued(t); len(got) != 201 || got[0] != 1000 || got[200] != 1200 {
		t.Fatalf("queue holds %d ledgers (%v…), want 1000..1200 once each", len(got), got[:min(3, len(got))])
	}
}

func TestMaxPastBlocksSkipsLoudly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_ = e.cursors.AdvanceCursor(ctx, "stellar_testnet", 10)
	s := scheduler.New(e.client, e.cursors)
	_ = s.AddNetwork(e.network(0, 5))
	e.tip.Store(50)
	r, err := s.Tick(ctx, "stellar_testnet")
	if err != nil {
		t.Fatal(err)
	}
	if r.From != 46 || r.To != 50 || r.Skipped != 35 || r.Enqueued != 5 {
		t.Fatalf("tick = %+v, want 46..50 with 35 skipped", r)
	}
}

func TestTipErrorLeavesCursor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_ = e.cursors.AdvanceCursor(ctx, "n", 7)
	s := scheduler.New(e.client, e.cursors)
	_ = s.AddNetwork(scheduler.Network{Slug: "n", Tip: scheduler.TipFunc(func(context.Context) (uint64, error) { return 0, errors.New("rpc down") })})
	if _, err := s.Tick(ctx, "n"); err == nil {
		t.Fatal("tip error swallowed")
	}
	if cur, _, _ := e.cursors.Cursor(ctx, "n"); cur != 7 {
		t.Fatalf("cursor moved to %d on a failed tick", cur)
	}
	if err := s.AddNetwork(scheduler.Network{Slug: "x", CronSchedule: "*/5 * * * *x", Tip: scheduler.TipFunc(nil)}); err == nil {
		t.Fatal("bad cron accepted")
	}
}

func TestRunTicksOnSchedule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := scheduler.New(e.client, e.cursors)
	n := e.network(0, 0)
	n.CronSchedule = "* * * * * *"
	_ = s.AddNetwork(n)
	e.tip.Store(500)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.queued(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	e.tip.Store(503)
	for len(e.queued(t)) < 4 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
	if got := e.queued(t); len(got) != 4 || got[0] != 500 || got[3] != 503 {
		t.Fatalf("cron loop enqueued %v, want 500..503", got)
	}
}

func TestStaleNetworks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := scheduler.New(e.client, e.cursors)
	_ = s.AddNetwork(e.network(0, 0))
	_ = s.AddNetwork(scheduler.Network{Slug: "broken", Tip: scheduler.TipFunc(func(context.Context) (uint64, error) { return 0, errors.New("down") })})
	e.tip.Store(10)
	ctx := context.Background()
	_, _ = s.Tick(ctx, "stellar_testnet")
	_, _ = s.Tick(ctx, "broken")
	now := time.Now()
	if st := s.Stale(now); len(st) != 1 || st[0] != "broken" {
		t.Fatalf("Stale(now) = %v, want [broken]", st)
	}
	if st := s.Stale(now.Add(time.Minute)); len(st) != 2 {
		t.Fatalf("a minute later both are stale, got %v", st)
	}
}

// TestRunTicksAtOnce: a (re)started scheduler catches up immediately, not
// at the schedule's next slot — here a yearly one that would never come.
func TestRunTicksAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := scheduler.New(e.client, e.cursors)
	n := e.network(0, 0)
	n.CronSchedule = "0 0 0 1 1 *"
	_ = s.AddNetwork(n)
	e.tip.Store(700)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.queued(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.queued(t); len(got) != 1 || got[0] != 700 {
		t.Fatalf("first tick enqueued %v, want [700]", got)
	}
}
