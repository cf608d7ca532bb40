package store

import (
	"context"
	"time"
)

// BatchRef names one evaluate-tenants task of a ledger: its queue and
// TaskID, which is what it takes to look it up in Redis.
type BatchRef struct {
	Queue  string
	TaskID string
}

// BatchDone names one finished batch of one ledger (MarkBatchesDone).
type BatchDone struct {
	Network string
	Ledger  uint64
	Batch   BatchRef
}

// LedgerProgress is the durable record of one scheduled ledger that has
// not completed: fetched, every batch evaluated, every deliver task
// enqueued.
type LedgerProgress struct {
	Network     string
	Ledger      uint64
	ScheduledAt time.Time
	// FannedOut is set once fetch-block recorded its batches; Pending are
	// those batches not yet done.
	FannedOut bool
	Pending   []BatchRef
	// Redrives counts how often the ledger was scheduled again after its
	// work was lost; LastRedriveAt is the latest.
	Redrives      int
	LastRedriveAt time.Time
}

// Progress keeps, durably and outside Redis, what each network's ledgers
// have become: scheduled, fanned out, completed. When Redis loses tasks
// (no persistence, a failover to a replica that missed writes, a flush),
// the ledgers between the last completed and the last scheduled show what
// must be driven again; the delivery log makes re-driving safe.
type Progress interface {
	// MarkScheduled records ledgers from..to of network as scheduled (a
	// ledger already recorded is left as it is).
	MarkScheduled(ctx context.Context, network string, from, to uint64) error
	// MarkFannedOut records the batches fetch-block is about to enqueue for
	// ledger. The first call sets them; later calls (a retried fetch-block)
	// keep what is recorded, unless replace is set (a re-driven ledger,
	// whose batches start over). No batches completes the ledger.
	MarkFannedOut(ctx context.Context, network string, ledger uint64, batches []BatchRef, replace bool) error
	// MarkBatchDone records one batch as evaluated, its deliver tasks
	// enqueued; the last one completes the ledger.
	MarkBatchDone(ctx context.Context, network string, ledger uint64, batch BatchRef) error
	// MarkBatchesDone is MarkBatchDone for several batches, of one ledger
	// or several, in one write: a worker records the batches that finish
	// together at once.
	MarkBatchesDone(ctx context.Context, done []BatchDone) error
	// Incomplete moves network's completed watermark past every finished
	// ledger and returns it (ok false: nothing recorded yet) with up to limit
	// unfinished ledgers, oldest first.
	Incomplete(ctx context.Context, network string, limit int) (completed uint64, ok bool, ledgers []LedgerProgress, err error)
	// MarkRedriven counts one more re-drive of ledger and forgets its
	// recorded batches (the re-driven fetch-block records them anew). It
	// happens only if the ledger was re-driven seen times so far: of two
	// scheduler replicas re-driving the same ledger, one gets ok.
	MarkRedriven(ctx context.Context, network string, ledger uint64, seen int) (ok bool, err error)
	// GiveUp stops tracking ledger as unfinished, keeping why: it was
	// retried as often as allowed or is older than the recovery window.
	// Such a ledger is counted and logged by the caller; it is never
	// dropped silently.
	GiveUp(ctx context.Context, network string, ledger uint64, reason string) error

	// UnfinishedDeliveryLedgers lists network's ledgers that have
	// notifications not finished (pending, sending, failed), oldest first,
	// at most limit. It may read the whole delivery log (PostgreSQL has no
	// index for it, to keep record writes cheap): the scheduler asks only
	// after Redis lost data, when such notifications may have lost their
	// tasks.
	UnfinishedDeliveryLedgers(ctx context.Context, network string, limit int) ([]uint64, error)
	// Reopen marks ledgers of network unfinished again (recording them if
	// they were pruned) and returns their records, for re-driving.
	Reopen(ctx context.Context, network string, ledgers []uint64) ([]LedgerProgress, error)
	// RedisMark and RaiseRedisMark keep, durably, the highest mark the
	// scheduler wrote into Redis: Redis holding a lower one (or none) has
	// lost writes. RaiseRedisMark never lowers it.
	RedisMark(ctx context.Context, network string) (int64, error)
	RaiseRedisMark(ctx context.Context, network string, mark int64) error
}
