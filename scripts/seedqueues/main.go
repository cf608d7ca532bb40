// Command seedqueues enqueues a few ozmon tasks of every kind into several
// queues of a Redis database, and archives one, so that asynqmon has
// something to show. It is a helper of scripts/asynqmon-screenshot.sh; it
// refuses a database that already holds keys, so it never mixes its tasks
// into a real deployment's queues. With --flush it empties that database
// instead (the script's cleanup).
//
//	go run ./scripts/seedqueues --redis-url redis://127.0.0.1:6379/14
//	go run ./scripts/seedqueues --redis-url redis://127.0.0.1:6379/14 --flush
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

func main() {
	url := flag.String("redis-url", "redis://127.0.0.1:6379/14", "Redis to seed (an empty database)")
	flush := flag.Bool("flush", false, "empty the database instead of seeding it")
	flag.Parse()
	run := seed
	if *flush {
		run = flushDB
	}
	if err := run(context.Background(), *url); err != nil {
		fmt.Fprintln(os.Stderr, "seedqueues:", err)
		os.Exit(1)
	}
}

// flushDB empties the one database the URL names (FLUSHDB, not FLUSHALL).
func flushDB(ctx context.Context, url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	if opt.DB == 0 {
		return fmt.Errorf("refusing to flush database 0 of %s: name a spare database in the URL", opt.Addr)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	return rdb.FlushDB(ctx).Err()
}

func seed(ctx context.Context, url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if n, err := rdb.DBSize(ctx).Result(); err != nil {
		return err
	} else if n != 0 {
		return fmt.Errorf("database %d of %s holds %d keys; seed an empty one", opt.DB, opt.Addr, n)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	now := time.Now()
	const network = "stellar_mainnet"
	var payloads []tasks.Payload
	for l := uint64(63092982); l < 63092987; l++ {
		payloads = append(payloads, tasks.FetchBlock{Network: network, Ledger: l, ScheduledAt: now})
	}
	for i, tier := range []tasks.Tier{tasks.TierCritical, tasks.TierHigh, tasks.TierDefault, tasks.TierDefault, tasks.TierLow} {
		payloads = append(payloads, tasks.EvaluateTenants{Network: network, Ledger: 63092982 + uint64(i), Batch: fmt.Sprintf("b%d", i),
			Tier: tier, Tenants: []string{"tenant-a", "tenant-b"}, ScheduledAt: now})
	}
	for i, tier := range []tasks.Tier{tasks.TierHigh, tasks.TierDefault, tasks.TierDefault, tasks.TierLow} {
		payloads = append(payloads, tasks.Deliver{TenantID: "tenant-a", Monitor: "Large transfers", Network: network, Ledger: 63092982 + uint64(i),
			TxHash: fmt.Sprintf("%064x", i+1), Trigger: "ops-webhook", Tier: tier,
			Vars: map[string]string{"monitor.name": "Large transfers", "transaction.hash": fmt.Sprintf("%064x", i+1)}, ScheduledAt: now})
	}
	count := map[string]int{}
	var last tasks.Payload
	for _, p := range payloads {
		if _, err := tasks.Enqueue(ctx, client, p); err != nil {
			return err
		}
		count[p.Queue()]++
		last = p
	}
	// One dead letter: the last deliver task, archived as if it had
	// exhausted its retries.
	insp := asynq.NewInspectorFromRedisClient(rdb)
	if err := insp.ArchiveTask(last.Queue(), last.TaskID()); err != nil {
		return fmt.Errorf("archive %s: %w", last.TaskID(), err)
	}
	for q, n := range count {
		fmt.Printf("%s: %d enqueued\n", q, n)
	}
	fmt.Printf("%s: 1 archived (%s)\n", last.Queue(), last.TaskID())
	return nil
}
