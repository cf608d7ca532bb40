package worker_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/worker"
)

// Run a worker for a deployment whose tenants are all in the default tier:
// it drains blocks and the default tier's queues only, each in its own
// asynq server, and runs what arrives.
func ExampleWorker() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		panic(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	w, err := worker.New(rdb, worker.Config{Concurrency: 4, NotifyConcurrency: 16,
		Tiers: func() []tasks.Tier { return []tasks.Tier{tasks.TierDefault} }})
	if err != nil {
		panic(err)
	}
	ran := make(chan string)
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeDeliver, func(_ context.Context, t *asynq.Task) error {
		ran <- string(t.Payload())
		return nil
	})
	if err := w.Start(mux); err != nil {
		panic(err)
	}
	defer w.Shutdown()
	fmt.Println(w.Queues())

	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	_, _ = client.Enqueue(asynq.NewTask(tasks.TypeDeliver, []byte("hello")), asynq.Queue(tasks.NotifyQueue(tasks.TierDefault)))
	fmt.Println(<-ran)
	// Output:
	// [blocks eval-default notify-default]
	// hello
}
