package scheduler_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store/memory"
)

// One scheduling step: the tip is 105, two confirmations are required and
// the cursor stands at 100, so ledgers 101..103 are enqueued, in order.
func ExampleScheduler_Tick() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		panic(err)
	}
	defer mr.Close()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: mr.Addr()})
	defer client.Close()
	cursors := memory.New() // any store: memory, postgres
	_ = cursors.AdvanceCursor(context.Background(), "stellar_testnet", 100)

	s := scheduler.New(client, cursors)
	_ = s.AddNetwork(scheduler.Network{Slug: "stellar_testnet", ConfirmationBlocks: 2,
		Tip: scheduler.TipFunc(func(context.Context) (uint64, error) { return 105, nil })})
	r, _ := s.Tick(context.Background(), "stellar_testnet")
	fmt.Println(r.From, r.To, r.Enqueued)
	// Output: 101 103 3
}
