package handlers

import (
	"context"
	"sync"

	"github.com/ozmon/ozmon/store"
)

// doneMarks records finished batches in the progress store the way a
// database group-commits: a batch that finishes while another batch's
// record is being written waits, and the next write records every batch
// that waited, in one statement. A ledger's 25 batches (5,000 tenants)
// finishing on 50 concurrent handlers then cost a few writes, not 25. No
// batch returns before its own record is written (or has failed): a batch
// is still done only once it is durably done.
type doneMarks struct {
	progress store.Progress

	mu    sync.Mutex
	queue []*doneWaiter
	busy  bool // a write is under way; the queue waits for it
}

type doneWaiter struct {
	done store.BatchDone
	// res gets one message: the write's outcome, or lead: write the
	// queue (this waiter's own record in it).
	res chan doneResult
}

type doneResult struct {
	err  error
	lead bool
}

// mark records d, alone or with the batches that finish meanwhile.
func (m *doneMarks) mark(ctx context.Context, d store.BatchDone) error {
	w := &doneWaiter{done: d, res: make(chan doneResult, 1)}
	m.mu.Lock()
	m.queue = append(m.queue, w)
	lead := !m.busy
	m.busy = true
	m.mu.Unlock()
	if !lead {
		// A writer is under way: it hands this waiter either the outcome of
		// the write that carried its record or the lead of the next one.
		// The write is short; the waiter does not leave before it ends, so
		// that a handed lead is never lost.
		r := <-w.res
		if !r.lead {
			return r.err
		}
	}
	m.mu.Lock()
	group := m.queue
	m.queue = nil
	m.mu.Unlock()
	ds := make([]store.BatchDone, len(group))
	for i, g := range group {
		ds[i] = g.done
	}
	err := m.progress.MarkBatchesDone(ctx, ds)
	for _, g := range group {
		if g != w {
			g.res <- doneResult{err: err}
		}
	}
	m.mu.Lock()
	if len(m.queue) > 0 {
		m.queue[0].res <- doneResult{lead: true}
	} else {
		m.busy = false
	}
	m.mu.Unlock()
	return err
}
