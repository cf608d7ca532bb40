package chaos

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/tasks"
)

// TestRedisClusterKeys runs every multi-key or scripted Redis operation
// ozmon does besides asynq's own on a real Redis Cluster: a command whose
// keys span slots fails there with CROSSSLOT, and a script touching a key
// of another node with "non local key". Each subtest uses keys spread over
// the three primaries.
func TestRedisClusterKeys(t *testing.T) {
	t.Parallel()
	rc := testkit.StartRedisCluster(t, 3, 1)
	rdb := rc.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("live hub reads many tenants' streams", func(t *testing.T) {
		pub := live.NewPublisher(rdb)
		hub := live.NewHub(rdb, live.WithReaders(2))
		defer hub.Close()
		var subs []*live.Subscription
		const tenants = 12 // over every primary, several per reader
		for i := range tenants {
			s, err := hub.Subscribe(ctx, fmt.Sprintf("tenant-%d", i), live.Filter{}, "")
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, s)
		}
		for round := range 2 {
			for i := range tenants {
				ev := live.Event{TenantID: fmt.Sprintf("tenant-%d", i), Kind: live.KindMatch, Monitor: fmt.Sprintf("m%d", round),
					Network: "n", Ledger: uint64(i), Status: live.MatchStatus, Time: time.Unix(1700000000, 0)}
				if err := pub.Publish(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range subs {
				select {
				case ev := <-s.Events():
					if ev == nil || ev.Ledger != uint64(i) || ev.Monitor != fmt.Sprintf("m%d", round) {
						t.Fatalf("tenant-%d round %d received %+v", i, round, ev)
					}
				case <-time.After(15 * time.Second):
					t.Fatalf("tenant-%d received nothing in round %d (err %v)", i, round, s.Err())
				}
			}
			if round == 0 {
				// A feed ending and a new one starting while the others
				// are blocked in their reads.
				subs[0].Close()
				s, err := hub.Subscribe(ctx, "tenant-0", live.Filter{}, "")
				if err != nil {
					t.Fatal(err)
				}
				subs[0] = s
			}
		}
	})

	t.Run("RunTask and the queue registry", func(t *testing.T) {
		client := asynq.NewClientFromRedisClient(rdb)
		insp := asynq.NewInspectorFromRedisClient(rdb)
		for _, q := range tasks.AllQueues() {
			if _, err := client.EnqueueContext(ctx, asynq.NewTask(tasks.TypeDeliver, nil), asynq.Queue(q), asynq.TaskID("later"), asynq.ProcessIn(time.Hour)); err != nil {
				t.Fatalf("enqueue to %s: %v", q, err)
			}
			if err := tasks.RunTask(ctx, rdb, q, "later", asynq.TaskStateScheduled); err != nil {
				t.Fatalf("RunTask in %s: %v", q, err)
			}
			info, err := insp.GetTaskInfo(q, "later")
			if err != nil || info.State != asynq.TaskStatePending {
				t.Fatalf("task in %s after RunTask: %v %v", q, info, err)
			}
		}
		if err := rdb.Del(ctx, "asynq:queues").Err(); err != nil {
			t.Fatal(err)
		}
		added, err := tasks.RepairQueueRegistry(ctx, rdb)
		if err != nil || len(added) != len(tasks.AllQueues()) {
			t.Fatalf("RepairQueueRegistry added %v, %v; want all %d queues", added, err, len(tasks.AllQueues()))
		}
	})

	t.Run("block cache and its lock", func(t *testing.T) {
		blocks, err := cache.New(rdb)
		if err != nil {
			t.Fatal(err)
		}
		for ledger := uint64(1); ledger <= 6; ledger++ {
			unlock, ok, err := blocks.Lock(ctx, "net", ledger, time.Minute)
			if err != nil || !ok {
				t.Fatalf("lock ledger %d: %v %v", ledger, ok, err)
			}
			if err := blocks.Put(ctx, &chain.Block{Network: "net", Ledger: ledger}); err != nil {
				t.Fatal(err)
			}
			unlock()
			if b, err := blocks.Get(ctx, "net", ledger); err != nil || b == nil || b.Ledger != ledger {
				t.Fatalf("get ledger %d: %v %v", ledger, b, err)
			}
		}
	})

	t.Run("notification rate limits", func(t *testing.T) {
		rl, err := notify.NewRateLimiter(rdb, notify.PerMinute(60, 2))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			waits, err := rl.ReserveN(ctx, fmt.Sprintf("tenant-%d", i), 3)
			if err != nil || len(waits) != 3 || waits[2] <= 0 {
				t.Fatalf("tenant-%d: waits %v, %v (the third of a burst of 2 must wait)", i, waits, err)
			}
		}
	})

	t.Run("activity scores", func(t *testing.T) {
		a := handlers.NewActivity(rdb)
		if err := a.Record(ctx, map[string]int{"a": 3, "b": 1, "c": 7}); err != nil {
			t.Fatal(err)
		}
		scores, err := a.Scores(ctx, []string{"a", "b", "c", "d"})
		if err != nil || scores["c"] <= scores["a"] || scores["a"] <= scores["b"] || scores["d"] != 0 {
			t.Fatalf("scores %v, %v", scores, err)
		}
	})
}
