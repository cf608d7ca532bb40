package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// pendingPerRun bounds the pending records one recovery run checks: each
// costs a Redis lookup. A longer list (a backlog of queued notifications)
// is worked through over several runs (strandedSweep.after).
const pendingPerRun = 500

// strandedSweep is what requeueStranded keeps between runs.
type strandedSweep struct {
	mu    sync.Mutex
	codec *tasks.DeliverCodec
	// after is, per network, where the next run goes on in the list of
	// pending records; nil starts from the oldest.
	after map[string]*store.DeliveryPosition
	// reported holds the unrecoverable records already logged (TaskID →
	// creation time), so each is logged once, not every run.
	reported map[string]time.Time
}

// requeueStranded closes the gap the ledger progress leaves: a deliver
// task enqueued, its batch then recorded done in PostgreSQL, and the
// enqueue lost in a failover to a replica that had not received it. The
// ledger counts as complete, so only the delivery log still knows of the
// notification, as pending. Every pending record older than the grace
// period (and younger than PendingWindow) is looked up in Redis; one whose
// task is gone is enqueued again from the payload the record keeps, under
// its deterministic TaskID. Safe against every race: the TaskID refuses a
// second copy in Redis, and the delivery log refuses a second send.
//
// It needs a progress store that lists pending records (store.PendingLister);
// without one it does nothing.
func (s *Scheduler) requeueStranded(ctx context.Context, slug string, rc Recovery, res *RecoverResult) error {
	pl, ok := s.progress.(store.PendingLister)
	if !ok {
		return nil
	}
	now := time.Now()
	since, until := now.Add(-rc.PendingWindow), now.Add(-rc.Grace)
	if !since.Before(until) {
		return nil
	}
	sw := &s.stranded
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.codec == nil {
		c, err := tasks.NewDeliverCodec()
		if err != nil {
			return err
		}
		sw.codec, sw.after, sw.reported = c, map[string]*store.DeliveryPosition{}, map[string]time.Time{}
	}
	after := sw.after[slug]
	if after != nil && after.CreatedAt.Before(since) {
		after = nil // the window moved past it
	}
	network, region := tasks.SplitLane(slug)
	scope := store.PendingScope{Network: network, Region: region, DefaultRegion: s.defaultRegion}
	list, err := pl.PendingDeliveries(ctx, scope, since, until, after, pendingPerRun)
	if err != nil {
		return fmt.Errorf("network %s: list pending notifications: %w", slug, err)
	}
	if len(list) < pendingPerRun {
		delete(sw.after, slug) // the whole window was seen: start over next run
	} else {
		last := list[len(list)-1]
		sw.after[slug] = &store.DeliveryPosition{CreatedAt: last.CreatedAt, Key: last.Key}
	}
	for id, at := range sw.reported {
		if at.Before(since) {
			delete(sw.reported, id)
		}
	}
	for _, d := range list {
		if err := s.requeueOne(ctx, sw, d, res); err != nil {
			return err
		}
	}
	return nil
}

// requeueOne looks up one pending record's task and enqueues it again
// when it is gone.
func (s *Scheduler) requeueOne(ctx context.Context, sw *strandedSweep, d store.PendingDelivery, res *RecoverResult) error {
	if d.Payload == nil {
		return s.reportIfMissing(ctx, sw, d, "its record keeps no payload (over storage.max_payload_bytes)")
	}
	p, err := sw.codec.Expand(d.Payload)
	if err != nil {
		return s.reportIfMissing(ctx, sw, d, "its kept payload cannot be read: "+err.Error())
	}
	if d.TaskID != "" && p.TaskID() != d.TaskID {
		return s.reportIfMissing(ctx, sw, d, fmt.Sprintf("its kept payload is task %s", p.TaskID()))
	}
	_, err = s.insp.GetTaskInfo(p.Queue(), p.TaskID())
	switch {
	case err == nil:
		return nil // queued, running, retrying, archived or done: not ours to touch
	case !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound):
		return fmt.Errorf("network %s: look up deliver task %s: %w", d.Key.Network, p.TaskID(), err)
	}
	enqueued, err := tasks.Enqueue(ctx, s.client, p)
	if err != nil {
		return fmt.Errorf("network %s: requeue notification %s: %w", d.Key.Network, d.Key, err)
	}
	if !enqueued {
		return nil // enqueued by someone else since the lookup
	}
	res.Requeued = append(res.Requeued, p.TaskID())
	s.log.Warn("notification pending in the delivery log had no deliver task in Redis; requeued it",
		"network", d.Key.Network, "ledger", d.Key.Ledger, "tenant", d.Key.TenantID, "monitor", d.Key.Monitor,
		"trigger", d.Key.Trigger, "task_id", p.TaskID(), "pending_for", time.Since(d.CreatedAt).Round(time.Second))
	if s.m != nil {
		s.m.DeliveriesRequeued.WithLabelValues(d.Key.Network, "requeued").Inc()
	}
	return nil
}

// reportIfMissing handles a record whose task cannot be rebuilt (why):
// when the task is missing from every notify queue, the loss is reported
// — once — rather than passed over.
func (s *Scheduler) reportIfMissing(ctx context.Context, sw *strandedSweep, d store.PendingDelivery, why string) error {
	if _, done := sw.reported[d.TaskID]; done || d.TaskID == "" {
		return nil
	}
	for _, t := range tasks.Tiers() {
		_, err := s.insp.GetTaskInfo(tasks.NotifyQueue(t), d.TaskID)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound):
			return fmt.Errorf("network %s: look up deliver task %s: %w", d.Key.Network, d.TaskID, err)
		}
	}
	s.unrecoverable(sw, d, why)
	return nil
}

// unrecoverable logs, once per record, a pending notification whose task
// is gone and cannot be rebuilt.
func (s *Scheduler) unrecoverable(sw *strandedSweep, d store.PendingDelivery, why string) {
	id := d.TaskID
	if id == "" {
		id = d.Key.String()
	}
	if _, done := sw.reported[id]; done {
		return
	}
	sw.reported[id] = d.CreatedAt
	s.log.Error("notification pending in the delivery log has no deliver task in Redis and cannot be requeued: "+why,
		"network", d.Key.Network, "ledger", d.Key.Ledger, "tenant", d.Key.TenantID, "monitor", d.Key.Monitor,
		"trigger", d.Key.Trigger, "task_id", d.TaskID)
	if s.m != nil {
		s.m.DeliveriesRequeued.WithLabelValues(d.Key.Network, "unrecoverable").Inc()
	}
}
