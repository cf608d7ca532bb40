package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/worker"
)

// TestSlowReceiversDoNotHoldUpEvaluation: deliveries and evaluations have
// separate slots. Every receiver here takes 3 s to answer and the worker
// has one delivery slot, yet all 20 ledgers are fetched and evaluated
// while the deliveries queue up behind the slow receiver.
func TestSlowReceiversDoNotHoldUpEvaluation(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir, ozmontest.SinkDefault(ozmontest.SinkResponse{Delay: 3 * time.Second}))
	tgs := rareTargets(blocks, 3)
	for i := range 5 {
		cfg, raw := tenantConfig(t, fmt.Sprintf("m%d", i), tgs[i], "", p.sink.URL())
		p.importTenant(fmt.Sprintf("t%d", i), cfg, raw, "")
	}
	if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	h, _, client := p.newHandlers(ctx, rdb, metrics.New())
	defer client.Close()
	w, err := worker.New(rdb, worker.Config{Concurrency: 2, NotifyConcurrency: 1, ShutdownTimeout: time.Second,
		Logger: worker.AsynqLogger(p.log)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(h.Mux()); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	p.startScheduler()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	waitUntil(t, 30*time.Second, "every ledger fetched and evaluated", func() bool {
		busy, done := 0, 0
		for _, q := range []string{tasks.QueueBlocks, tasks.EvalQueue(tasks.TierDefault)} {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Retry
				done += info.Completed
			}
		}
		return busy == 0 && done > 20
	})
	info, err := insp.GetQueueInfo(tasks.NotifyQueue(tasks.TierDefault))
	if err != nil {
		t.Fatal(err)
	}
	if info.Pending < 2 || info.Active != 1 {
		t.Fatalf("notify queue: %d pending, %d active; want deliveries waiting behind the one slow send", info.Pending, info.Active)
	}
	if n := len(p.sink.Requests()); n > 2 {
		t.Fatalf("%d requests reached a receiver that needs 3 s each", n)
	}
}
