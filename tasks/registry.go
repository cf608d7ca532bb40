package tasks

import (
	"context"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"
)

// queueRegistryKey is asynq's set of queue names (base.AllQueues in
// asynq v0.26.0's internal/base). Inspector.Queues reads it, and the
// Inspector's per-queue calls refuse a queue missing from it.
const queueRegistryKey = "asynq:queues"

// queueKeys are the keys that hold a queue's tasks, with asynq v0.26.0's
// names (internal/base: PendingKey, ActiveKey, ScheduledKey, RetryKey,
// ArchivedKey, CompletedKey, LeaseKey, AllGroups). A queue with any of them
// has tasks, whatever the registry says.
func queueKeys(q string) []string {
	prefix := "asynq:{" + q + "}:"
	return []string{prefix + "pending", prefix + "active", prefix + "scheduled", prefix + "retry",
		prefix + "archived", prefix + "completed", prefix + "lease", prefix + "groups"}
}

// RepairQueueRegistry adds to asynq's queue registry every queue of
// AllQueues that holds tasks but is missing from it, and returns the
// queues it added (sorted).
//
// Why it is needed: an asynq client registers a queue only on its first
// enqueue to it in the process (it caches that it did), so after Redis
// loses data — a restart without persistence, FLUSHALL, a failover to an
// empty replica — long-running schedulers and workers keep enqueueing
// into queues the registry no longer names. Inspector.Queues, and through
// it `ozmon admin`, the queue metrics and asynqmon, would then show those
// queues empty or missing while they hold tasks.
//
// It costs one pipelined round trip when nothing is missing, two when it
// repairs. A queue without keys is never added: the registry then lists
// only queues asynq itself would have listed.
func RepairQueueRegistry(ctx context.Context, rdb redis.UniversalClient) (added []string, err error) {
	queues := AllQueues()
	exists := make([]*redis.IntCmd, len(queues))
	var members *redis.StringSliceCmd
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		members = p.SMembers(ctx, queueRegistryKey)
		for i, q := range queues {
			exists[i] = p.Exists(ctx, queueKeys(q)...)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read asynq queue registry and queue keys: %w", err)
	}
	listed := members.Val()
	var missing []any
	for i, q := range queues {
		if exists[i].Val() > 0 && !slices.Contains(listed, q) {
			missing = append(missing, q)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	// SADD again rather than trusting the read: another process may have
	// registered some of them meanwhile, and "added" should say what this
	// call changed. One SADD per queue tells which ones it added.
	adds := make([]*redis.IntCmd, len(missing))
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, q := range missing {
			adds[i] = p.SAdd(ctx, queueRegistryKey, q)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("register queues %v in asynq's queue registry: %w", missing, err)
	}
	for i, q := range missing {
		if adds[i].Val() > 0 {
			added = append(added, q.(string))
		}
	}
	slices.Sort(added)
	return added, nil
}
