package usage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ozmon/ozmon/store"
)

// Flush writes every count taken so far to the sink in one call. On
// failure the counts stay pending and the next Flush writes them with
// whatever was counted since: a transient error delays counts, never
// loses them. Flushes run one at a time.
func (m *Meter) Flush(ctx context.Context) error {
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		taken := s.m
		// The next interval's map starts at this one's size: active
		// tenants are mostly the same from one interval to the next.
		s.m = make(map[key]Counts, len(taken))
		s.mu.Unlock()
		for k, c := range taken {
			v := m.pending[k]
			v.add(c)
			m.pending[k] = v
		}
	}
	if len(m.pending) == 0 {
		return nil
	}
	rows := make([]store.UsageHour, 0, len(m.pending))
	for k, c := range m.pending {
		rows = append(rows, c.row(k))
	}
	// In key order the upsert walks the primary key's index in order, and
	// two workers flushing the same tenants lock rows in the same order.
	slices.SortFunc(rows, func(a, b store.UsageHour) int {
		if c := strings.Compare(a.TenantID, b.TenantID); c != 0 {
			return c
		}
		return a.Hour.Compare(b.Hour)
	})
	err := m.sink.AddUsage(ctx, rows)
	if err != nil && !errors.Is(err, store.ErrInvalid) {
		m.bound()
		return fmt.Errorf("usage: flush %d tenant-hours (kept for the next flush): %w", len(rows), err)
	}
	clear(m.pending)
	if err != nil {
		return fmt.Errorf("usage: flush %d tenant-hours: %w", len(rows), err)
	}
	return nil
}

// Pending is the number of tenant-hours a failed flush left for the next.
func (m *Meter) Pending() int {
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	return len(m.pending)
}

// bound drops the oldest hours while more than maxPending tenant-hours
// wait: memory stays bounded through a long outage. Called under flushMu.
func (m *Meter) bound() {
	over := len(m.pending) - m.maxPending
	if over <= 0 {
		return
	}
	hours := make([]int64, 0, len(m.pending))
	for k := range m.pending {
		hours = append(hours, k.hour)
	}
	slices.Sort(hours)
	cut := hours[over-1] // drop every row up to and including this hour
	n := 0
	for k := range m.pending {
		if k.hour <= cut {
			delete(m.pending, k)
			n++
		}
	}
	m.dropped += int64(n)
	m.log.Error("usage counts dropped: the sink has failed for too long and the pending counts reached their bound",
		"dropped_tenant_hours", n, "up_to_hour", hourTime(cut), "bound", m.maxPending, "dropped_total", m.dropped)
}

// Run flushes every interval until ctx ends. It does not make the last
// flush: call Shutdown once nothing counts any more (the handlers have
// returned), so their last counts are in it.
func (m *Meter) Run(ctx context.Context) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fctx, cancel := context.WithTimeout(ctx, m.flushTimeout)
		if err := m.Flush(fctx); err != nil {
			m.log.Warn("usage flush failed", "pending_tenant_hours", m.Pending(), "err", err)
		}
		cancel()
	}
}

// Shutdown makes the last flush, bounded by the shutdown timeout. Counts
// it cannot write are lost with the process, and said so.
func (m *Meter) Shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.shutdownTimeout)
	defer cancel()
	if err := m.Flush(ctx); err != nil {
		m.log.Error("usage: last flush failed; these counts are lost", "tenant_hours", m.Pending(), "err", err)
		return err
	}
	return nil
}
