package usage

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ozmon/ozmon/store"
)

// Sink stores flushed rows, adding each row's counts to what its (tenant,
// hour) already holds. (*postgres.Store) is one. An error wrapping
// store.ErrInvalid means the rows it could take were written and the rest
// refused for good; any other error means nothing was written.
type Sink interface {
	AddUsage(ctx context.Context, rows []store.UsageHour) error
}

// shards spreads tenants over locks; a power of two.
const shards = 64

// key is one tenant's hour: unix seconds of the hour's start.
type key struct {
	tenant string
	hour   int64
}

func hourOf(t time.Time) int64 { return t.Unix() - t.Unix()%3600 }

func hourTime(h int64) time.Time { return time.Unix(h, 0).UTC() }

// shard is padded to a cache line so that neighbouring shards' locks do
// not share one.
type shard struct {
	mu sync.Mutex
	m  map[key]Counts
	_  [64 - 16]byte
}

// Meter accumulates per-tenant usage in memory and flushes it to a Sink.
// Its counting methods are safe for concurrent use and cost a shard lock
// and a map update; a nil *Meter counts nothing, so callers need no check.
type Meter struct {
	shards [shards]shard
	sink   Sink
	now    func() time.Time
	log    *slog.Logger

	interval, flushTimeout, shutdownTimeout time.Duration
	maxPending                              int

	flushMu sync.Mutex     // one flush at a time
	pending map[key]Counts // counts taken from the shards and not yet written
	dropped int64          // tenant-hours dropped past maxPending, in total
}

// New returns a Meter flushing to sink.
func New(sink Sink, opts ...Option) *Meter {
	m := &Meter{sink: sink, now: time.Now, log: slog.Default(), interval: 10 * time.Second,
		flushTimeout: 30 * time.Second, shutdownTimeout: 10 * time.Second, maxPending: 2_000_000,
		pending: map[key]Counts{}}
	for _, o := range opts {
		o(m)
	}
	for i := range m.shards {
		m.shards[i].m = map[key]Counts{}
	}
	return m
}

// Add adds c to the tenant's counts in the current hour.
func (m *Meter) Add(tenantID string, c Counts) {
	if m == nil {
		return
	}
	m.addAt(tenantID, hourOf(m.now()), c)
}

func (m *Meter) addAt(tenantID string, hour int64, c Counts) {
	s := &m.shards[fnv(tenantID)&(shards-1)]
	k := key{tenant: tenantID, hour: hour}
	s.mu.Lock()
	v := s.m[k]
	v.add(c)
	s.m[k] = v
	s.mu.Unlock()
}

// Start returns the time an evaluation starts, to be given to Evaluated
// (zero for a nil Meter, which measures nothing).
func (m *Meter) Start() time.Time {
	if m == nil {
		return time.Time{}
	}
	return m.now()
}

// Evaluated counts one tenant evaluated against one ledger: the candidate
// monitors evaluated, the matches found, and the time since start (from
// Start). The time is wall time of an evaluation that runs in memory
// without blocking: per-thread CPU time would cost two system calls per
// tenant and ledger (docs/usage.md).
func (m *Meter) Evaluated(tenantID string, start time.Time, monitors, matches int) {
	if m == nil {
		return
	}
	end := m.now()
	m.addAt(tenantID, hourOf(end), Counts{Ledgers: 1, Evaluations: int64(monitors),
		EvalCPUMicros: max(0, end.Sub(start).Microseconds()), Matches: int64(matches)})
}

// Delivery counts one delivery attempt's outcome.
func (m *Meter) Delivery(tenantID string, o Outcome) {
	if m == nil {
		return
	}
	m.Add(tenantID, o.counts())
}

// fnv is FNV-1a over the string's bytes, without converting it.
func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
