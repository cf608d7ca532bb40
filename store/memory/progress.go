package memory

import (
	"context"
	"slices"
	"time"

	"github.com/ozmon/ozmon/store"
)

var _ store.Progress = (*Store)(nil)

// networkProgress is one network's unfinished ledgers and watermark.
type networkProgress struct {
	open      map[uint64]*store.LedgerProgress
	top       uint64 // newest ledger recorded
	completed uint64
	any       bool
}

func (s *Store) net(network string) *networkProgress {
	p, ok := s.progress[network]
	if !ok {
		p = &networkProgress{open: map[uint64]*store.LedgerProgress{}}
		s.progress[network] = p
	}
	return p
}

// MarkScheduled implements store.Progress.
func (s *Store) MarkScheduled(_ context.Context, network string, from, to uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.net(network)
	now := time.Now()
	for l := from; l <= to && to >= from; l++ {
		if p.open[l] != nil || (p.any && l <= p.top) {
			continue // recorded before: still open, or finished
		}
		p.open[l] = &store.LedgerProgress{Network: network, Ledger: l, ScheduledAt: now}
		p.top, p.any = l, true
	}
	return nil
}

// MarkFannedOut implements store.Progress.
func (s *Store) MarkFannedOut(_ context.Context, network string, ledger uint64, batches []store.BatchRef, replace bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.net(network)
	lp := p.open[ledger]
	if lp == nil {
		if p.any && ledger <= p.top {
			return nil // finished already
		}
		lp = &store.LedgerProgress{Network: network, Ledger: ledger, ScheduledAt: time.Now()}
		p.open[ledger] = lp
		p.top, p.any = max(p.top, ledger), true
	}
	if lp.FannedOut && !replace {
		return nil
	}
	lp.FannedOut, lp.Pending = true, slices.Clone(batches)
	if len(lp.Pending) == 0 {
		delete(p.open, ledger)
	}
	return nil
}

// MarkBatchDone implements store.Progress.
func (s *Store) MarkBatchDone(_ context.Context, network string, ledger uint64, batch store.BatchRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.net(network)
	lp := p.open[ledger]
	if lp == nil {
		return nil
	}
	lp.Pending = slices.DeleteFunc(lp.Pending, func(b store.BatchRef) bool { return b == batch })
	if lp.FannedOut && len(lp.Pending) == 0 {
		delete(p.open, ledger)
	}
	return nil
}

// MarkBatchesDone implements store.Progress.
func (s *Store) MarkBatchesDone(ctx context.Context, done []store.BatchDone) error {
	for _, d := range done {
		if err := s.MarkBatchDone(ctx, d.Network, d.Ledger, d.Batch); err != nil {
			return err
		}
	}
	return nil
}

// Incomplete implements store.Progress.
func (s *Store) Incomplete(_ context.Context, network string, limit int) (uint64, bool, []store.LedgerProgress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.net(network)
	if !p.any {
		return 0, false, nil, nil
	}
	ledgers := make([]uint64, 0, len(p.open))
	for l := range p.open {
		ledgers = append(ledgers, l)
	}
	slices.Sort(ledgers)
	mark := p.top
	if len(ledgers) > 0 {
		mark = ledgers[0] - 1
	}
	p.completed = max(p.completed, mark)
	if limit <= 0 {
		limit = 100
	}
	var out []store.LedgerProgress
	for _, l := range ledgers[:min(limit, len(ledgers))] {
		lp := *p.open[l]
		lp.Pending = slices.Clone(lp.Pending)
		out = append(out, lp)
	}
	return p.completed, true, out, nil
}

// MarkRedriven implements store.Progress.
func (s *Store) MarkRedriven(_ context.Context, network string, ledger uint64, seen int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lp := s.net(network).open[ledger]
	if lp == nil || lp.Redrives != seen {
		return false, nil
	}
	lp.Redrives++
	lp.LastRedriveAt = time.Now()
	lp.FannedOut, lp.Pending = false, nil
	return true, nil
}

// GiveUp implements store.Progress.
func (s *Store) GiveUp(_ context.Context, network string, ledger uint64, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.net(network).open, ledger)
	return nil
}

// ExpectDeliveries implements store.DeliveryLog.
func (s *Store) ExpectDeliveries(_ context.Context, ds []store.ExpectedDelivery) error {
	for _, d := range ds {
		if err := checkKey(d.Key); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, d := range ds {
		if _, ok := s.deliveries[d.Key]; !ok {
			s.deliveries[d.Key] = &store.Delivery{Key: d.Key, TaskID: d.TaskID, Channel: d.Channel,
				Status: store.DeliveryPending, CreatedAt: now, UpdatedAt: now}
		}
	}
	return nil
}

// UnfinishedDeliveryLedgers implements store.Progress.
func (s *Store) UnfinishedDeliveryLedgers(_ context.Context, network string, limit int) ([]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[uint64]bool{}
	var out []uint64
	for k, d := range s.deliveries {
		switch d.Status {
		case store.DeliveryPending, store.DeliverySending, store.DeliveryFailed:
			if k.Network == network && !seen[k.Ledger] {
				seen[k.Ledger] = true
				out = append(out, k.Ledger)
			}
		}
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Reopen implements store.Progress.
func (s *Store) Reopen(_ context.Context, network string, ledgers []uint64) ([]store.LedgerProgress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.net(network)
	var out []store.LedgerProgress
	for _, l := range ledgers {
		lp := p.open[l]
		if lp == nil {
			lp = &store.LedgerProgress{Network: network, Ledger: l, ScheduledAt: time.Now()}
			p.open[l] = lp
			p.top, p.any = max(p.top, l), true
		}
		lp.FannedOut, lp.Pending = false, nil
		out = append(out, *lp)
	}
	return out, nil
}

// RedisMark implements store.Progress.
func (s *Store) RedisMark(_ context.Context, network string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.redisMarks[network], nil
}

// RaiseRedisMark implements store.Progress.
func (s *Store) RaiseRedisMark(_ context.Context, network string, mark int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redisMarks[network] = max(s.redisMarks[network], mark)
	return nil
}
