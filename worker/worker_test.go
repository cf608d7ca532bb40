package worker_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/worker"
)

func TestNewWorkerRefusesBadSizes(t *testing.T) {
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	for _, c := range []struct {
		cfg  worker.Config
		want string
	}{
		{worker.Config{Concurrency: 0}, "concurrency 0 must be > 0"},
		{worker.Config{Concurrency: 1, NotifyConcurrency: -1}, "notify concurrency -1"},
		{worker.Config{Concurrency: 1, Queues: map[string]int{"notify-urgent": 1}}, `queue "notify-urgent" is not one of blocks, eval-critical`},
		{worker.Config{Concurrency: 1, Queues: map[string]int{"blocks": 0}}, `queue "blocks" has weight 0`},
	} {
		if _, err := worker.New(rdb, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewWorker(%+v) = %v, want an error with %q", c.cfg, err, c.want)
		}
	}
}

// TestWorkerNotifyOnly: a worker given only notify queues runs deliveries
// and nothing else (the split never invents queues).
func TestWorkerNotifyOnly(t *testing.T) {
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	var mu sync.Mutex
	var seen []string
	mux := asynq.NewServeMux()
	record := func(_ context.Context, task *asynq.Task) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, task.Type())
		return nil
	}
	mux.HandleFunc(tasks.TypeDeliver, record)
	mux.HandleFunc(tasks.TypeFetchBlock, record)
	w, err := worker.New(rdb, worker.Config{Concurrency: 1, Queues: map[string]int{tasks.NotifyQueue(tasks.TierDefault): 1}})
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeFetchBlock, nil), asynq.Queue(tasks.QueueBlocks)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeDeliver, nil), asynq.Queue(tasks.NotifyQueue(tasks.TierDefault))); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 10*time.Second, "the deliver task", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0
	})
	time.Sleep(300 * time.Millisecond) // room for a wrongly drained fetch-block
	w.Shutdown()
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != tasks.TypeDeliver {
		t.Fatalf("ran %v, want only the deliver task", seen)
	}
}

// TestWorkerFollowsTiersInUse: a worker drains blocks and the queues of
// the tiers that have tenants, picks up a queue of another tier as soon
// as it holds a task (a replay, a demoted tier's leftovers), and follows a
// tier appearing.
func TestWorkerFollowsTiersInUse(t *testing.T) {
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	var mu sync.Mutex
	inUse := []tasks.Tier{tasks.TierDefault}
	var ran []string
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeDeliver, func(_ context.Context, task *asynq.Task) error {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, string(task.Payload()))
		return nil
	})
	w, err := worker.New(rdb, worker.Config{Concurrency: 1, CheckEvery: 20 * time.Millisecond,
		Tiers: func() []tasks.Tier {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(inUse)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if got := strings.Join(w.Queues(), ","); got != "blocks,eval-default,notify-default" {
		t.Fatalf("drained at start: %s", got)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeDeliver, []byte("replayed critical")), asynq.Queue(tasks.NotifyQueue(tasks.TierCritical))); err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 10*time.Second, "the critical task with no critical tenant", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ran) == 1
	})
	mu.Lock()
	inUse = append(inUse, tasks.TierHigh)
	mu.Unlock()
	testkit.WaitUntil(t, 10*time.Second, "the high tier's queues", func() bool {
		q := strings.Join(w.Queues(), ",")
		return strings.Contains(q, "eval-high") && strings.Contains(q, "notify-high")
	})
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeDeliver, []byte("high")), asynq.Queue(tasks.NotifyQueue(tasks.TierHigh))); err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 10*time.Second, "the high tier's task", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ran) == 2 && ran[1] == "high"
	})
	if err := w.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestWorkerWithoutTiersDrainsEveryQueue(t *testing.T) {
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	w, err := worker.New(rdb, worker.Config{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.Shutdown() // before Start: nothing to stop, must not block
	if err := w.Start(asynq.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if err := w.Start(asynq.NewServeMux()); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Fatalf("second Start: %v", err)
	}
	want := slices.Sorted(slices.Values(tasks.AllQueues()))
	if got := w.Queues(); !slices.Equal(got, want) {
		t.Fatalf("drained %v, want %v", got, want)
	}
}
