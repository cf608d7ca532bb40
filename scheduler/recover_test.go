package scheduler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tasks"
)

// recoverEnv schedules ledgers 100..105 with a durable progress store and
// leaves them in the states a Redis data loss produces: 100 complete, 101
// evaluating (its batch pending in Redis), 102 archived, 103–105 gone.
func recoverEnv(t *testing.T, rec scheduler.Recovery) (*env, *scheduler.Scheduler, *memory.Store) {
	t.Helper()
	e := newEnv(t)
	st := memory.New()
	s := scheduler.New(e.client, e.cursors, scheduler.WithProgress(st, e.rdb))
	n := e.network(0, 0)
	rec.Grace = time.Nanosecond // every unfinished ledger is old enough to look at
	n.Recovery = rec
	if err := s.AddNetwork(n); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.tip.Store(100)
	mustTick(t, s)
	e.tip.Store(105)
	mustTick(t, s)
	must(t, st.MarkFannedOut(ctx, "stellar_testnet", 100, nil, false))
	batch := tasks.EvaluateTenants{Network: "stellar_testnet", Ledger: 101, Batch: "b0", Tier: tasks.TierDefault, Tenants: []string{"t"}}
	if _, err := tasks.Enqueue(ctx, e.client, batch); err != nil {
		t.Fatal(err)
	}
	must(t, st.MarkFannedOut(ctx, "stellar_testnet", 101, []store.BatchRef{{Queue: batch.Queue(), TaskID: batch.TaskID()}}, false))
	must(t, e.insp.DeleteTask(tasks.QueueBlocks, fetchID(101, 0)))
	must(t, e.insp.ArchiveTask(tasks.QueueBlocks, fetchID(102, 0)))
	for l := uint64(103); l <= 105; l++ {
		must(t, e.insp.DeleteTask(tasks.QueueBlocks, fetchID(l, 0)))
	}
	return e, s, st
}

func fetchID(ledger uint64, redrive int) string {
	return tasks.FetchBlock{Network: "stellar_testnet", Ledger: ledger, Redrive: redrive}.TaskID()
}

func TestRecoverRedrivesOnlyLostLedgers(t *testing.T) {
	t.Parallel()
	e, s, _ := recoverEnv(t, scheduler.Recovery{MaxRedrives: 2})
	ctx := context.Background()
	r, err := s.Recover(ctx, "stellar_testnet")
	must(t, err)
	if !slices.Equal(r.Redriven, []uint64{103, 104, 105}) || r.Completed != 100 || len(r.GivenUp) != 0 {
		t.Fatalf("first run = %+v; want 103..105 re-driven (101 in flight, 102 archived), completed 100", r)
	}
	for l := uint64(103); l <= 105; l++ {
		info, err := e.insp.GetTaskInfo(tasks.QueueBlocks, fetchID(l, 1))
		if err != nil || info.State != asynq.TaskStatePending {
			t.Fatalf("re-driven ledger %d: %v %v", l, info, err)
		}
	}
	// The re-driven tasks are in Redis: nothing to do.
	if r, _ = s.Recover(ctx, "stellar_testnet"); len(r.Redriven) != 0 {
		t.Fatalf("second run re-drove %v although their tasks are pending", r.Redriven)
	}
	// Lost again: a second re-drive gets a new TaskID; a third exceeds the
	// limit and the ledger is given up, loudly, never silently dropped.
	must(t, e.insp.DeleteTask(tasks.QueueBlocks, fetchID(103, 1)))
	if r, _ = s.Recover(ctx, "stellar_testnet"); !slices.Equal(r.Redriven, []uint64{103}) {
		t.Fatalf("third run = %+v", r)
	}
	must(t, e.insp.DeleteTask(tasks.QueueBlocks, fetchID(103, 2)))
	if r, _ = s.Recover(ctx, "stellar_testnet"); !slices.Equal(r.GivenUp, []uint64{103}) || len(r.Redriven) != 0 {
		t.Fatalf("fourth run = %+v; want 103 given up after 2 re-drives", r)
	}
}

func TestRecoverWithRecoveryConfigRetriesArchived(t *testing.T) {
	t.Parallel()
	e, s, _ := recoverEnv(t, scheduler.Recovery{RetryArchived: true, MaxPerRun: 2})
	r, err := s.Recover(context.Background(), "stellar_testnet")
	must(t, err)
	if !slices.Equal(r.Redriven, []uint64{102, 103}) {
		t.Fatalf("run = %+v; want the archived 102 and lost 103 (max 2 per run)", r)
	}
	if _, err := e.insp.GetTaskInfo(tasks.QueueBlocks, fetchID(102, 0)); err == nil {
		t.Fatal("the archived task of a re-driven ledger is still in the dead-letter queue")
	}
}

func TestRecoverGivesUpLedgersOlderThanMaxAge(t *testing.T) {
	t.Parallel()
	e, s, st := recoverEnv(t, scheduler.Recovery{MaxAge: 3})
	e.tip.Store(107) // ledgers below 104 are older than 3
	r, err := s.Recover(context.Background(), "stellar_testnet")
	must(t, err)
	if !slices.Equal(r.GivenUp, []uint64{101, 102, 103}) || !slices.Equal(r.Redriven, []uint64{104, 105}) {
		t.Fatalf("run = %+v", r)
	}
	done, _, open, _ := st.Incomplete(context.Background(), "stellar_testnet", 10)
	if done != 103 || len(open) != 2 {
		t.Fatalf("watermark %d, open %+v", done, open)
	}
}

func mustTick(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	if _, err := s.Tick(context.Background(), "stellar_testnet"); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecoverAfterRedisLostDataRedrivesUnfinishedNotifications: ledgers
// 100 and 101 completed (every deliver task enqueued), but one
// notification of 101 was still pending when Redis lost everything. The
// ledger is complete, so only the Redis mark tells: the run sees Redis's
// mark behind PostgreSQL's and re-drives 101 — and nothing else.
func TestRecoverAfterRedisLostDataRedrivesUnfinishedNotifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := memory.New()
	s := scheduler.New(e.client, e.cursors, scheduler.WithProgress(st, e.rdb))
	n := e.network(0, 0)
	n.Recovery.Grace = time.Hour // the ledger loop stays out of it
	must(t, s.AddNetwork(n))
	ctx := context.Background()
	e.tip.Store(100)
	mustTick(t, s)
	e.tip.Store(101)
	mustTick(t, s)
	for l := uint64(100); l <= 101; l++ {
		must(t, st.MarkFannedOut(ctx, "stellar_testnet", l, nil, false))
	}
	key := func(l uint64, tx string) store.DeliveryKey {
		return store.DeliveryKey{TenantID: "t", Monitor: "m", Network: "stellar_testnet", Ledger: l, TxHash: tx, Trigger: "hook"}
	}
	must(t, st.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: key(100, "a")}, {Key: key(101, "b")}}))
	_, err := st.BeginDelivery(ctx, key(100, "a"), "task-a", "webhook")
	must(t, err)
	must(t, st.FinishDelivery(ctx, key(100, "a"), store.DeliveryDelivered, ""))

	r, err := s.Recover(ctx, "stellar_testnet")
	must(t, err)
	if r.RedisLost || len(r.Redriven) != 0 {
		t.Fatalf("first run = %+v; nothing was lost", r)
	}
	if r, _ = s.Recover(ctx, "stellar_testnet"); r.RedisLost {
		t.Fatalf("second run without loss = %+v", r)
	}
	must(t, e.rdb.FlushDB(ctx).Err())
	r, err = s.Recover(ctx, "stellar_testnet")
	must(t, err)
	if !r.RedisLost || !slices.Equal(r.Redriven, []uint64{101}) {
		t.Fatalf("run after the flush = %+v; want the loss seen and ledger 101 re-driven", r)
	}
	if r, _ = s.Recover(ctx, "stellar_testnet"); r.RedisLost || len(r.Redriven) != 0 {
		t.Fatalf("run after the reconciliation = %+v", r)
	}
	// The run repaired asynq's queue registry, so the task can be found.
	if _, err := e.insp.GetTaskInfo(tasks.QueueBlocks, fetchID(101, 1)); err != nil {
		t.Fatalf("re-driven ledger's task: %v", err)
	}
}

// TestRunMarksRedisBeforeScheduling: the first recovery run (and its
// Redis mark) comes before the first ledger is enqueued, so a Redis that
// loses data moments after the start is still caught.
func TestRunMarksRedisBeforeScheduling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := memory.New()
	s := scheduler.New(e.client, e.cursors, scheduler.WithProgress(st, e.rdb))
	n := e.network(0, 0)
	n.Tip = scheduler.TipFunc(func(context.Context) (uint64, error) {
		if m, _ := st.RedisMark(context.Background(), "stellar_testnet"); m == 0 {
			t.Error("a tick ran before the Redis mark was written")
		}
		return 100, nil
	})
	must(t, s.AddNetwork(n))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	must(t, s.Run(ctx))
	if m, _ := st.RedisMark(context.Background(), "stellar_testnet"); m == 0 {
		t.Fatal("no Redis mark after a run")
	}
}
