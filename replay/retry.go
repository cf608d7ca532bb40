package replay

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Outcome is what Retry did with one delivery: re-queued (Reason and Err
// empty), skipped (Reason) or failed (Err).
type Outcome struct {
	Delivery store.Delivery
	Reason   string
	Err      error
	// FromLog is set when the task had left Redis and was rebuilt from
	// the payload the delivery log keeps.
	FromLog bool
}

// Result is what Retry did with every matching delivery, in the order the
// log listed them (newest first).
type Result struct {
	Outcomes []Outcome
	// Truncated is set when as many records matched as the filter's limit
	// allows: more may match than were considered.
	Truncated bool
}

// Counts returns how many were re-queued, skipped (by reason) and failed.
func (r Result) Counts() (requeued int, skipped map[string]int, failed int) {
	skipped = map[string]int{}
	for _, o := range r.Outcomes {
		switch {
		case o.Err != nil:
			failed++
		case o.Reason != "":
			skipped[o.Reason]++
		default:
			requeued++
		}
	}
	return requeued, skipped, failed
}

// Retry re-queues the deliver tasks of the records matching f that failed
// or were archived. A record delivered, or in doubt (sending: an attempt
// started and recorded no outcome; in_doubt: held for an operator), is
// skipped unless force: the receiver has, or may have, the notification.
// With force its record is reset first.
//
// A task is re-queued only from archived or retry (with force, also
// completed: a delivered notification's retained task), atomically
// (tasks.RunTask); a running or queued task is left alone. The error is
// only about listing the records; each record's own failure is in its
// Outcome.
func Retry(ctx context.Context, st store.DeliveryLog, rdb redis.UniversalClient, insp *asynq.Inspector,
	f store.DeliveryFilter, force bool) (Result, error) {
	list, err := st.ListDeliveries(ctx, f)
	if err != nil {
		return Result{}, fmt.Errorf("list deliveries to retry: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100 // the store's default
	}
	res := Result{Truncated: len(list) >= limit, Outcomes: make([]Outcome, 0, len(list))}
	r := retrier{st: st, rdb: rdb, insp: insp, force: force}
	for _, d := range list {
		o := r.one(ctx, d)
		res.Outcomes = append(res.Outcomes, o)
	}
	return res, nil
}

// retrier carries what retrying each record needs; the codec and the
// client are made at the first record whose task must be rebuilt.
type retrier struct {
	st    store.DeliveryLog
	rdb   redis.UniversalClient
	insp  *asynq.Inspector
	force bool
	codec *tasks.DeliverCodec
}

func (r *retrier) one(ctx context.Context, d store.Delivery) Outcome {
	reason, err := retryOne(ctx, r.st, r.rdb, r.insp, d, r.force)
	if reason != "not found" || err != nil {
		return Outcome{Delivery: d, Reason: reason, Err: err}
	}
	reason, err = r.fromLog(ctx, d)
	return Outcome{Delivery: d, Reason: reason, Err: err, FromLog: reason == "" && err == nil}
}

// fromLog re-queues a record whose task has left Redis from the payload
// the delivery log keeps (store.PayloadKeeper): the task is rebuilt as it
// was enqueued, under the same TaskID, so the worker's checks and the
// receiver's notification id are the same as for the original. A record
// delivered or in doubt is reset first, as a forced resend of a retained
// task is; when the enqueue finds the TaskID taken (someone re-queued it
// meanwhile) the record gets its status back.
func (r *retrier) fromLog(ctx context.Context, d store.Delivery) (reason string, err error) {
	pk, ok := r.st.(store.PayloadKeeper)
	if !ok {
		return "not found", nil
	}
	b, err := pk.DeliveryPayload(ctx, d.Key)
	if errors.Is(err, store.ErrNotFound) {
		return "not found", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the kept payload of %s: %w", d.Key, err)
	}
	if r.codec == nil {
		if r.codec, err = tasks.NewDeliverCodec(); err != nil {
			return "", err
		}
	}
	p, err := r.codec.Expand(b)
	if err != nil {
		return "", fmt.Errorf("rebuild the task of %s from its record: %w", d.Key, err)
	}
	if p.TaskID() != d.TaskID && d.TaskID != "" {
		return "", fmt.Errorf("rebuild the task of %s from its record: the kept payload is task %s, the record names %s", d.Key, p.TaskID(), d.TaskID)
	}
	var reset store.DeliveryResetter
	if d.Status == store.DeliveryDelivered || d.Status == store.DeliverySending || d.Status == store.DeliveryInDoubt {
		rs, ok := r.st.(store.DeliveryResetter)
		if !ok {
			return "no reset", nil
		}
		if err := rs.ResetDelivery(ctx, d.Key); err != nil {
			return "", fmt.Errorf("reset delivery %s for a forced resend: %w", d.Key, err)
		}
		reset = rs
	}
	client := asynq.NewClientFromRedisClient(r.rdb)
	enqueued, err := tasks.Enqueue(ctx, client, p)
	if err == nil && enqueued {
		return "", nil
	}
	if reset != nil {
		if rerr := r.st.FinishDelivery(context.WithoutCancel(ctx), d.Key, d.Status, d.LastError); rerr != nil {
			return "", fmt.Errorf("re-queue %s from the delivery log: %v; and restoring its record to %s: %w", d.TaskID, err, d.Status, rerr)
		}
	}
	if err != nil {
		return "", fmt.Errorf("re-queue %s from the delivery log: %w", d.TaskID, err)
	}
	return "queued", nil // the TaskID was taken since we looked
}

// retryOne re-queues one record's task, or says why not (reason), or
// fails. It changes nothing when it skips; when the task cannot be
// re-queued after the record was reset, the record gets its status back.
func retryOne(ctx context.Context, st store.DeliveryLog, rdb redis.UniversalClient, insp *asynq.Inspector,
	d store.Delivery, force bool) (reason string, err error) {
	inDoubt := d.Status == store.DeliveryDelivered || d.Status == store.DeliverySending || d.Status == store.DeliveryInDoubt
	if inDoubt && !force {
		return string(d.Status), nil
	}
	q, info, err := findDeliverTask(insp, d.TaskID)
	if err != nil || info == nil {
		return "not found", err
	}
	switch info.State {
	case asynq.TaskStateArchived, asynq.TaskStateRetry:
	case asynq.TaskStateCompleted:
		if !force {
			return "completed", nil
		}
	case asynq.TaskStateActive:
		return "running", nil
	default:
		return "queued", nil
	}
	var reset store.DeliveryResetter
	if inDoubt {
		r, ok := st.(store.DeliveryResetter)
		if !ok {
			return "no reset", nil
		}
		if err := r.ResetDelivery(ctx, d.Key); err != nil {
			return "", fmt.Errorf("reset delivery %s for a forced resend: %w", d.Key, err)
		}
		reset = r
	}
	runErr := tasks.RunTask(ctx, rdb, q, d.TaskID, info.State)
	if runErr == nil {
		return "", nil
	}
	// The task changed state since we looked (someone else ran it): put
	// the record back as it was, so it does not claim a resend.
	if reset != nil {
		if err := st.FinishDelivery(context.WithoutCancel(ctx), d.Key, d.Status, d.LastError); err != nil {
			return "", fmt.Errorf("re-queue %s: %w; and restoring its record to %s: %w", d.TaskID, runErr, d.Status, err)
		}
	}
	var se *tasks.StateError
	switch {
	case errors.As(runErr, &se) && se.State == asynq.TaskStateActive:
		return "running", nil
	case errors.As(runErr, &se) && se.State == asynq.TaskStateCompleted:
		return "completed", nil
	case errors.As(runErr, &se):
		return "queued", nil
	case errors.Is(runErr, asynq.ErrTaskNotFound):
		return "not found", nil
	}
	return "", fmt.Errorf("re-queue %s: %w", d.TaskID, runErr)
}

// findDeliverTask finds a deliver task in the notify queues (the record
// does not keep the tier); nil info when it is in none.
func findDeliverTask(insp *asynq.Inspector, id string) (string, *asynq.TaskInfo, error) {
	for _, t := range tasks.Tiers() {
		q := tasks.NotifyQueue(t)
		info, err := insp.GetTaskInfo(q, id)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		case err != nil:
			return "", nil, fmt.Errorf("look up task %s in queue %s: %w", id, q, err)
		default:
			return q, info, nil
		}
	}
	return "", nil, nil
}
