package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// RecoverResult says what one recovery run found and did.
type RecoverResult struct {
	Completed  uint64 // every ledger up to here is complete (or given up)
	Unfinished int    // unfinished ledgers looked at
	Redriven   []uint64
	GivenUp    []uint64
	// RedisLost is set when the run found that Redis had lost writes; the
	// ledgers with unfinished notifications were then re-driven.
	RedisLost bool
	// Requeued are the TaskIDs of pending notifications whose deliver
	// task was gone from Redis, enqueued again (requeueStranded).
	Requeued []string
}

// Recover looks at a network's unfinished ledgers and drives again those
// whose work is gone from Redis: a fetch-block that no longer exists, or a
// recorded batch that no longer exists. Their TaskIDs are free again, or
// the re-drive carries a new one (FetchBlock.Redrive), and the delivery log
// refuses a second send of anything already delivered, so re-driving is
// safe. Notifications still pending whose deliver task is gone are
// enqueued again (requeueStranded). A ledger still in flight (pending, active, scheduled, retrying) is
// left alone; one whose task was archived stays in the dead-letter queue
// unless the network's Recovery retries archived work. A ledger past the
// limits is given up loudly: an error log naming it, a metric, a record.
func (s *Scheduler) Recover(ctx context.Context, slug string) (RecoverResult, error) {
	var res RecoverResult
	if s.progress == nil || s.insp == nil {
		return res, nil
	}
	s.mu.Lock()
	n, ok := s.networks[slug]
	s.mu.Unlock()
	if !ok {
		return res, fmt.Errorf("scheduler: unknown network %q", slug)
	}
	rc := n.Recovery.withDefaults()
	// Tasks are looked up through asynq's queue registry, which Redis data
	// loss empties: a task in a queue missing from it reads as not found.
	if _, err := tasks.RepairQueueRegistry(ctx, s.rdb); err != nil {
		return res, err
	}
	if err := s.reconcileAfterLoss(ctx, slug, &res); err != nil {
		return res, err
	}
	// A failed sweep does not hold up the ledgers below: it is logged and
	// runs again with the next recovery.
	if err := s.requeueStranded(ctx, slug, rc, &res); err != nil {
		s.log.Error("scheduler recovery: requeue pending notifications", "network", slug, "err", err)
	}
	completed, ok, open, err := s.progress.Incomplete(ctx, slug, 1000)
	if err != nil || !ok {
		return res, err
	}
	res.Completed, res.Unfinished = completed, len(open)
	if s.m != nil {
		s.m.LedgersCompleted.WithLabelValues(slug).Set(float64(completed))
		s.m.LedgersUnfinished.WithLabelValues(slug).Set(float64(len(open)))
	}
	var oldest uint64 // ledgers below it are beyond MaxAge
	if rc.MaxAge > 0 && len(open) > 0 {
		tip, err := n.Tip.Tip(ctx)
		if err != nil {
			return res, fmt.Errorf("network %s: recovery: read tip: %w", slug, err)
		}
		if target := tip - min(tip, n.ConfirmationBlocks); target > rc.MaxAge {
			oldest = target - rc.MaxAge
		}
	}
	now := time.Now()
	for _, lp := range open {
		if len(res.Redriven) >= rc.MaxPerRun {
			break
		}
		if lp.Ledger < oldest {
			s.giveUp(ctx, &res, lp, "max_block_age", "older than max_block_age")
			continue
		}
		last := lp.ScheduledAt
		if lp.LastRedriveAt.After(last) {
			last = lp.LastRedriveAt
		}
		if now.Sub(last) < max(rc.Grace, rc.RetryDelay) {
			continue // in normal flight, or re-driven moments ago
		}
		st, err := s.whereIs(ctx, lp)
		if err != nil {
			return res, err
		}
		switch {
		case st.inFlight, st.lost == 0 && st.archived == nil:
			continue // still running, or it turned out finished
		case st.archived != nil && !rc.RetryArchived:
			continue // in the dead-letter queue: visible, and retried from there
		case lp.Redrives >= rc.MaxRedrives:
			s.giveUp(ctx, &res, lp, "max_retries", fmt.Sprintf("re-driven %d times, the most allowed", lp.Redrives))
			continue
		}
		won, err := s.redrive(ctx, lp, st.archived)
		if err != nil {
			return res, err
		}
		if won {
			res.Redriven = append(res.Redriven, lp.Ledger)
		}
	}
	return res, nil
}

// ledgerState is where a ledger's remaining work is in Redis.
type ledgerState struct {
	inFlight bool             // some of it is pending, active, scheduled or retrying
	lost     int              // tasks of it no longer in Redis
	archived []store.BatchRef // tasks of it in the dead-letter queue
}

// whereIs looks up a ledger's outstanding tasks: its fetch-block before it
// fanned out, else its pending batches. A batch that completed without
// being marked (its mark was lost) is marked now.
func (s *Scheduler) whereIs(ctx context.Context, lp store.LedgerProgress) (ledgerState, error) {
	var st ledgerState
	refs := lp.Pending
	if !lp.FannedOut {
		fb := tasks.FetchBlock{Network: lp.Network, Ledger: lp.Ledger, Redrive: lp.Redrives}
		refs = []store.BatchRef{{Queue: fb.Queue(), TaskID: fb.TaskID()}}
	}
	for _, ref := range refs {
		info, err := s.insp.GetTaskInfo(ref.Queue, ref.TaskID)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound):
			st.lost++
			continue
		case err != nil:
			return st, fmt.Errorf("network %s: look up task %s of ledger %d: %w", lp.Network, ref.TaskID, lp.Ledger, err)
		}
		switch info.State {
		case asynq.TaskStateArchived:
			st.archived = append(st.archived, ref)
		case asynq.TaskStateCompleted:
			if lp.FannedOut {
				err = s.progress.MarkBatchDone(ctx, lp.Network, lp.Ledger, ref)
			} else {
				// A fetch-block that completed without recording its
				// batches: its worker keeps no progress (a deployment
				// whose roles disagree). Its work was done; say so.
				s.log.Warn("fetch-block completed without recording its batches; counting the ledger complete",
					"network", lp.Network, "ledger", lp.Ledger)
				err = s.progress.MarkFannedOut(ctx, lp.Network, lp.Ledger, nil, false)
			}
			if err != nil {
				return st, err
			}
		default:
			st.inFlight = true
		}
	}
	return st, nil
}

// redrive schedules the ledger again under a new fetch-block TaskID,
// after clearing its archived tasks (so their TaskIDs can be used again).
// won is false when another scheduler replica re-drove it first.
func (s *Scheduler) redrive(ctx context.Context, lp store.LedgerProgress, archived []store.BatchRef) (won bool, err error) {
	if won, err = s.progress.MarkRedriven(ctx, lp.Network, lp.Ledger, lp.Redrives); err != nil || !won {
		return false, err
	}
	for _, ref := range archived {
		if err := s.insp.DeleteTask(ref.Queue, ref.TaskID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("network %s: ledger %d: remove archived task %s: %w", lp.Network, lp.Ledger, ref.TaskID, err)
		}
	}
	fb := tasks.FetchBlock{Network: lp.Network, Ledger: lp.Ledger, Redrive: lp.Redrives + 1, ScheduledAt: time.Now()}
	if _, err := tasks.Enqueue(ctx, s.client, fb); err != nil {
		// Recorded as re-driven but not enqueued: the next run finds the
		// new TaskID missing and re-drives again.
		return false, fmt.Errorf("network %s: re-drive ledger %d: %w", lp.Network, lp.Ledger, err)
	}
	s.log.Warn("ledger's work was lost from Redis; re-driving it", "network", lp.Network, "ledger", lp.Ledger,
		"redrive", fb.Redrive, "archived_tasks_cleared", len(archived))
	if s.m != nil {
		s.m.LedgersRedriven.WithLabelValues(lp.Network).Inc()
	}
	return true, nil
}

// giveUp records ledger as given up; label is the metric's fixed reason.
func (s *Scheduler) giveUp(ctx context.Context, res *RecoverResult, lp store.LedgerProgress, label, reason string) {
	if err := s.progress.GiveUp(ctx, lp.Network, lp.Ledger, reason); err != nil {
		s.log.Error("give up ledger", "network", lp.Network, "ledger", lp.Ledger, "err", err)
		return
	}
	res.GivenUp = append(res.GivenUp, lp.Ledger)
	s.log.Error("ledger given up unfinished: its notifications may be missing", "network", lp.Network, "ledger", lp.Ledger,
		"reason", reason, "redrives", lp.Redrives)
	if s.m != nil {
		s.m.LedgersLost.WithLabelValues(lp.Network, label).Inc()
	}
}

// redisMarkKey holds, in Redis, the latest mark the scheduler wrote for a
// network; the same mark is kept in PostgreSQL.
func redisMarkKey(network string) string { return "ozmon:redis-mark:" + network }

// raiseMark sets the key to ARGV[1] unless it already holds more: of two
// scheduler replicas, the mark only ever grows.
var raiseMark = redis.NewScript(`
local cur = tonumber(redis.call("GET", KEYS[1]) or "0")
if cur < tonumber(ARGV[1]) then redis.call("SET", KEYS[1], ARGV[1]) end
return cur`)

// reconcileAfterLoss finds out whether Redis lost writes since the last
// run, and if so re-drives every ledger that has notifications not yet
// finished: their deliver tasks, pending, scheduled or retrying, may be
// gone, and the ledger itself counts as complete. Each run writes a mark
// into Redis first and into PostgreSQL second, so Redis never holds less
// than PostgreSQL unless it lost data. Re-driving is safe: the delivery
// log refuses to send a delivered notification again.
func (s *Scheduler) reconcileAfterLoss(ctx context.Context, slug string, res *RecoverResult) error {
	durable, err := s.progress.RedisMark(ctx, slug)
	if err != nil {
		return err
	}
	inRedis, err := s.rdb.Get(ctx, redisMarkKey(slug)).Int64()
	if errors.Is(err, redis.Nil) {
		inRedis, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("network %s: read redis mark: %w", slug, err)
	}
	next := max(durable, inRedis) + 1
	if err := raiseMark.Run(ctx, s.rdb, []string{redisMarkKey(slug)}, next).Err(); err != nil {
		return fmt.Errorf("network %s: write redis mark: %w", slug, err)
	}
	if inRedis >= durable {
		return s.progress.RaiseRedisMark(ctx, slug, next)
	}
	res.RedisLost = true
	ledgers, err := s.progress.UnfinishedDeliveryLedgers(ctx, slug, 100000)
	if err != nil {
		return err
	}
	s.log.Warn("Redis lost data (its mark is behind PostgreSQL's); re-driving every ledger with unfinished notifications",
		"network", slug, "redis_mark", inRedis, "durable_mark", durable, "ledgers", len(ledgers))
	if len(ledgers) > 0 {
		reopened, err := s.progress.Reopen(ctx, slug, ledgers)
		if err != nil {
			return err
		}
		for _, lp := range reopened {
			won, err := s.redrive(ctx, lp, nil)
			if err != nil {
				return err
			}
			if won {
				res.Redriven = append(res.Redriven, lp.Ledger)
			}
		}
	}
	// Raised only once the ledgers are reopened: a scheduler that dies in
	// between finds the loss again.
	return s.progress.RaiseRedisMark(ctx, slug, next)
}
