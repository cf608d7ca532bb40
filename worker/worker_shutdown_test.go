package worker_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/worker"
)

// lockedBuffer is a log sink read while the worker writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func taskStateOf(t *testing.T, insp *asynq.Inspector, q, id string) asynq.TaskState {
	t.Helper()
	info, err := insp.GetTaskInfo(q, id)
	if err != nil {
		t.Fatalf("task %s of %s: %v", id, q, err)
	}
	return info.State
}

// TestShutdownWaitsForHandlersBeforeTheStoreCloses is cmd's order: Worker
// Shutdown, then the store's pool closes. A deliver handler that outlives
// the shutdown timeout (asynq requeues its task and cancels its context,
// but its goroutine runs on) records its outcome in PostgreSQL after that
// — and the pool must still be open: Shutdown returns only once the
// handler has.
func TestShutdownWaitsForHandlersBeforeTheStoreCloses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _ := testkit.PostgresSchema(t)
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var tenant string
	if err := pg.Pool().QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ('acme', 'acme') RETURNING id`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	key := store.DeliveryKey{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: "ab", Trigger: "hook"}
	p := tasks.Deliver{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: "ab", Trigger: "hook", Tier: tasks.TierDefault}

	rdb := redis.NewClient(testkit.Redis(t))
	t.Cleanup(func() { rdb.Close() })
	started := make(chan struct{})
	var returned atomic.Int64 // unix nanos when the handler returned
	var finishErr error
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeDeliver, func(ctx context.Context, _ *asynq.Task) error {
		if _, err := pg.BeginDelivery(ctx, key, p.TaskID(), "webhook"); err != nil {
			return err
		}
		close(started)
		// A send that ignores cancellation and answers after the
		// shutdown timeout (500 ms), well before Shutdown gives up on it
		// (as much again); then the outcome is recorded, as Deliver does.
		time.Sleep(750 * time.Millisecond)
		finishErr = pg.FinishDelivery(context.WithoutCancel(ctx), key, store.DeliveryDelivered, "")
		returned.Store(time.Now().UnixNano())
		return nil
	})
	w, err := worker.New(rdb, worker.Config{Concurrency: 1, ShutdownTimeout: 500 * time.Millisecond,
		Queues: map[string]int{tasks.NotifyQueue(tasks.TierDefault): 1}})
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	if _, err := tasks.Enqueue(ctx, client, p); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the deliver task did not start")
	}
	w.Shutdown()
	closedAt := time.Now().UnixNano()
	pg.Close() // what cmd does once Shutdown returned

	if returned.Load() == 0 || returned.Load() > closedAt {
		t.Fatalf("Shutdown returned before the handler did (handler returned at %d, pool closed at %d)", returned.Load(), closedAt)
	}
	if finishErr != nil {
		t.Fatalf("the handler's last write failed: %v", finishErr)
	}
	check, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	recs, err := check.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(recs) != 1 || recs[0].Status != store.DeliveryDelivered {
		t.Fatalf("record after shutdown = %+v, %v; want delivered", recs, err)
	}
	// asynq did requeue it (the timeout passed): the next run finds the
	// record delivered and does not send again.
	insp := asynq.NewInspectorFromRedisClient(rdb)
	if got := taskStateOf(t, insp, p.Queue(), p.TaskID()); got != asynq.TaskStatePending {
		t.Fatalf("task after a shutdown that outlived its timeout is %s, want pending (requeued)", got)
	}
}

// TestShutdownGivesUpOnAHandlerThatNeverReturns: a handler ignoring its
// cancelled context is waited for at most the longer shutdown timeout
// once more; then Shutdown logs how many still run and returns.
func TestShutdownGivesUpOnAHandlerThatNeverReturns(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(testkit.Redis(t))
	t.Cleanup(func() { rdb.Close() })
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeFetchBlock, func(context.Context, *asynq.Task) error {
		close(started)
		<-release
		return nil
	})
	var logs lockedBuffer
	w, err := worker.New(rdb, worker.Config{Concurrency: 1, ShutdownTimeout: 100 * time.Millisecond,
		NotifyShutdownTimeout: 300 * time.Millisecond, Queues: map[string]int{tasks.QueueBlocks: 1},
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeFetchBlock, nil), asynq.Queue(tasks.QueueBlocks)); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	<-started
	begin := time.Now()
	w.Shutdown()
	took := time.Since(begin)
	// 100 ms for asynq, then up to max(100, 300) ms for the handler.
	if took < 350*time.Millisecond || took > 5*time.Second {
		t.Fatalf("Shutdown took %s, want about 400 ms (timeout, then the grace)", took)
	}
	if out := logs.String(); !strings.Contains(out, "handlers still running after shutdown") || !strings.Contains(out, "handlers=1") {
		t.Fatalf("no error naming the handler left running:\n%s", out)
	}
}

// TestSendWithinNotifyShutdownTimeoutIsNotRequeued: on Shutdown a deliver
// task gets NotifyShutdownTimeout, not ShutdownTimeout. A send that
// outlives the pipeline's timeout but not the notify one completes — its
// context never cancelled, its task completed, run once — while a
// pipeline task that long is requeued.
func TestSendWithinNotifyShutdownTimeoutIsNotRequeued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := redis.NewClient(testkit.Redis(t))
	t.Cleanup(func() { rdb.Close() })
	var runs, cancelled atomic.Int32
	var wg sync.WaitGroup
	wg.Add(2)
	slow := func(ctx context.Context, _ *asynq.Task) error {
		runs.Add(1)
		wg.Done()
		select {
		case <-time.After(600 * time.Millisecond):
			return nil
		case <-ctx.Done():
			cancelled.Add(1)
			return ctx.Err()
		}
	}
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeDeliver, slow)
	mux.HandleFunc(tasks.TypeFetchBlock, slow)
	w, err := worker.New(rdb, worker.Config{Concurrency: 1, NotifyConcurrency: 1,
		ShutdownTimeout: 100 * time.Millisecond, NotifyShutdownTimeout: 3 * time.Second,
		Queues: map[string]int{tasks.QueueBlocks: 1, tasks.NotifyQueue(tasks.TierDefault): 1}})
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	deliver := tasks.Deliver{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: "ab", Trigger: "hook", Tier: tasks.TierDefault}
	if _, err := tasks.Enqueue(ctx, client, deliver); err != nil {
		t.Fatal(err)
	}
	fetch := tasks.FetchBlock{Network: "n", Ledger: 7}
	if _, err := tasks.Enqueue(ctx, client, fetch); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("the two tasks did not both start")
	}
	w.Shutdown()

	insp := asynq.NewInspectorFromRedisClient(rdb)
	if got := taskStateOf(t, insp, deliver.Queue(), deliver.TaskID()); got != asynq.TaskStateCompleted {
		t.Errorf("deliver task after shutdown is %s, want completed (its send had time to finish)", got)
	}
	if got := taskStateOf(t, insp, fetch.Queue(), fetch.TaskID()); got != asynq.TaskStatePending {
		t.Errorf("fetch-block task after shutdown is %s, want pending (requeued at the pipeline's 100 ms)", got)
	}
	if runs.Load() != 2 || cancelled.Load() != 1 {
		t.Errorf("runs %d, cancelled %d; want 2 runs and only the fetch-block cancelled", runs.Load(), cancelled.Load())
	}
}

func TestNewWorkerRefusesNegativeShutdownTimeouts(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	for _, cfg := range []worker.Config{
		{Concurrency: 1, ShutdownTimeout: -time.Second},
		{Concurrency: 1, NotifyShutdownTimeout: -time.Second},
	} {
		if _, err := worker.New(rdb, cfg); err == nil || !strings.Contains(err.Error(), "must be >= 0") {
			t.Errorf("NewWorker(%+v) = %v, want a refusal", cfg, err)
		}
	}
	if _, err := worker.New(rdb, worker.Config{Concurrency: 1}); err != nil {
		t.Errorf("zero timeouts (asynq's default) refused: %v", errors.Unwrap(err))
	}
}
