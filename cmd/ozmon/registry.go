package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/tasks"
)

// queueRegistryInterval is how often long-running processes that read
// queues (the scheduler's queue gauges, asynqmon) repair asynq's queue
// registry: the longest the tools can show a queue as missing after Redis
// lost data.
const queueRegistryInterval = 5 * time.Second

// keepQueueRegistry repairs asynq's queue registry now and every interval
// until ctx is done (see tasks.RepairQueueRegistry for why). A repair is
// logged at Warn: it means Redis lost data, which the operator should know.
func keepQueueRegistry(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		added, err := tasks.RepairQueueRegistry(ctx, rdb)
		// A repair is reported even when the context ended right after it.
		if len(added) > 0 {
			log.Warn("queue registry repaired after Redis data loss", "queues", added)
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("queue registry check failed; queue listings may be incomplete", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
