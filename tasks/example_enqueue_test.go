package tasks_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
)

// Enqueue a fetch-block task twice: the deterministic TaskID makes the
// second call a no-op, which is what lets two schedulers run at once.
func ExampleEnqueue() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		panic(err)
	}
	defer mr.Close()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: mr.Addr()})
	defer client.Close()

	p := tasks.FetchBlock{Network: "stellar_mainnet", Ledger: 63092982}
	first, _ := tasks.Enqueue(context.Background(), client, p)
	second, _ := tasks.Enqueue(context.Background(), client, p)
	fmt.Println(p.TaskID(), p.Queue(), first, second)
	// Output: fetch-block:stellar_mainnet:63092982 blocks true false
}
