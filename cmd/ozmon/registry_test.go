package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
)

// TestKeepQueueRegistry: the loop the scheduler role and asynqmon run
// repairs the registry at once and again after each loss, warns naming
// the queues, and stops with its context.
func TestKeepQueueRegistry(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rdb := testkit.RedisClient(t)
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	q := tasks.EvalQueue(tasks.TierLow)
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeEvaluateTenants, nil), asynq.Queue(q)); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Del(ctx, "asynq:queues").Err(); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	done := make(chan struct{})
	go func() {
		defer close(done)
		keepQueueRegistry(ctx, rdb, log, 20*time.Millisecond)
	}()
	registered := func() bool {
		ok, err := rdb.SIsMember(ctx, "asynq:queues", q).Result()
		return err == nil && ok
	}
	for _, round := range []string{"at start", "after a second loss"} {
		deadline := time.Now().Add(5 * time.Second)
		for !registered() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s not re-registered in 5 s; log:\n%s", round, q, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := rdb.Del(ctx, "asynq:queues").Err(); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop did not stop with its context")
	}
	out := logs.String()
	if n := strings.Count(out, "level=WARN msg=\"queue registry repaired after Redis data loss\" queues=["+q+"]"); n < 2 {
		t.Fatalf("want two warnings naming %s, got %d:\n%s", q, n, out)
	}
}
