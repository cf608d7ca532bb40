package tasks_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
)

// TestRepairQueueRegistryAfterDataLoss: a long-running client keeps
// enqueueing after Redis lost asynq:queues (its per-process cache says the
// queue is registered), so the Inspector stops listing the queue although
// it holds tasks. The repair lists it again with the right size, and adds
// no queue that has no keys.
func TestRepairQueueRegistryAfterDataLoss(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := testkit.RedisClient(t)
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	q := tasks.NotifyQueue(tasks.TierHigh)
	enqueue := func(id string) {
		t.Helper()
		if _, err := client.EnqueueContext(ctx, asynq.NewTask(tasks.TypeDeliver, nil), asynq.Queue(q), asynq.TaskID(id)); err != nil {
			t.Fatalf("enqueue %s into %s: %v", id, q, err)
		}
	}
	schedule := func() {
		t.Helper()
		// A scheduled task: its queue's only key is a zset.
		if _, err := client.EnqueueContext(ctx, asynq.NewTask(tasks.TypeFetchBlock, nil), asynq.Queue(tasks.QueueBlocks),
			asynq.ProcessIn(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("before-loss")
	schedule()
	// Redis restarts without persistence; the same client (its cache says
	// both queues are registered) goes on writing.
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	enqueue("after-loss")
	schedule()

	listed, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(listed, q) || slices.Contains(listed, tasks.QueueBlocks) {
		t.Fatalf("Inspector.Queues() = %v before the repair; the test does not reproduce the loss", listed)
	}
	if _, err := insp.GetQueueInfo(q); err == nil {
		t.Fatalf("GetQueueInfo(%s) succeeded before the repair; want asynq's queue-not-found", q)
	}

	added, err := tasks.RepairQueueRegistry(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{tasks.QueueBlocks, q}; !slices.Equal(added, want) {
		t.Fatalf("added %v, want %v (only queues that hold tasks)", added, want)
	}
	listed, err = insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	if want := []string{tasks.QueueBlocks, q}; !slices.Equal(listed, want) {
		t.Fatalf("Inspector.Queues() after the repair = %v, want %v", listed, want)
	}
	info, err := insp.GetQueueInfo(q)
	if err != nil {
		t.Fatal(err)
	}
	if info.Pending != 1 || info.Size != 1 {
		t.Fatalf("%s after the repair: pending %d, size %d; want the one task enqueued after the loss", q, info.Pending, info.Size)
	}
	if info, err := insp.GetQueueInfo(tasks.QueueBlocks); err != nil || info.Scheduled != 1 {
		t.Fatalf("%s after the repair: %+v, %v; want 1 scheduled", tasks.QueueBlocks, info, err)
	}

	// Nothing is missing any more: a second call changes nothing.
	if added, err := tasks.RepairQueueRegistry(ctx, rdb); err != nil || len(added) != 0 {
		t.Fatalf("second repair added %v (%v), want nothing", added, err)
	}
}

// TestRepairQueueRegistryEmptyRedis: no keys at all, nothing registered.
func TestRepairQueueRegistryEmptyRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := testkit.RedisClient(t)
	added, err := tasks.RepairQueueRegistry(ctx, rdb)
	if err != nil || len(added) != 0 {
		t.Fatalf("repair of an empty database added %v (%v)", added, err)
	}
	if n, err := rdb.Exists(ctx, "asynq:queues").Result(); err != nil || n != 0 {
		t.Fatalf("asynq:queues exists after repairing an empty database (%d, %v)", n, err)
	}
}

// TestRepairQueueRegistryReportsRedisErrors: a Redis that cannot be
// reached is an error naming what was being done, not "nothing to add".
func TestRepairQueueRegistryReportsRedisErrors(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	added, err := tasks.RepairQueueRegistry(context.Background(), rdb)
	if err == nil || added != nil {
		t.Fatalf("RepairQueueRegistry on a closed port = %v, %v; want an error", added, err)
	}
}
