package handlers

import (
	"context"
	"sync"
	"time"
)

// inflight bounds one worker's deliveries in flight per tenant and per
// destination host. Every tenant shares the notify pool and a send holds
// its slot up to the send timeout, so without a bound a few hanging
// endpoints would hold every slot and delay everyone's alerts.
//
// A tenant that is flowing — a send of its finished within stuckAfter —
// may hold twice its bound; past that a delivery waits up to wait for a
// slot: an endpoint that answers frees one soon and a burst goes on. One
// whose sends are stuck (none finished for stuckAfter) is moved aside at
// once (deferred, never dropped), for longer the longer it has been stuck,
// so a hanging tenant's backlog neither holds slots nor churns the queue.
// A destination host's bound applies only while that host is stuck.
type inflight struct {
	perTenant, perDest int
	wait               time.Duration // the longest a delivery waits for a slot
	stuckAfter         time.Duration // no send finished for this long: stuck

	mu      sync.Mutex
	tenants map[string]*slots
	dests   map[string]*slots
	freed   chan struct{} // closed and replaced on every release
}

// slots is one tenant's or host's deliveries in flight and when one last
// finished (or, before any did, when the first started).
type slots struct {
	n        int
	last     time.Time
	finished bool // last is a finished send, not a start
}

// flowing reports whether a send finished within d of now.
func (s *slots) flowing(now time.Time, d time.Duration) bool {
	return s.finished && now.Sub(s.last) <= d
}

func newInflight(perTenant, perDest int, wait, stuckAfter time.Duration) *inflight {
	return &inflight{perTenant: perTenant, perDest: perDest, wait: wait, stuckAfter: stuckAfter,
		tenants: map[string]*slots{}, dests: map[string]*slots{}, freed: make(chan struct{})}
}

// refusal says why a delivery was moved aside: which bound ("tenant" or
// "destination") and how long that one has not finished a send.
type refusal struct {
	full  string
	stuck time.Duration
}

// acquire takes a slot for tenant and dest. ok false means the delivery is
// to be deferred; the refusal says why.
func (f *inflight) acquire(ctx context.Context, tenant, dest string) (release func(), r refusal, ok bool) {
	if f == nil {
		return func() {}, r, true
	}
	var timer <-chan time.Time
	for {
		now := time.Now()
		f.mu.Lock()
		t, d := f.tenants[tenant], f.dests[dest]
		var busy *slots
		switch {
		case f.perTenant > 0 && t != nil && t.n >= f.perTenant && (t.n >= 2*f.perTenant || !t.flowing(now, f.stuckAfter)):
			// A flowing tenant (a send finished within the wait) may use
			// twice its share before it waits: bursts of a tenant whose
			// endpoint answers are not slowed. A stuck one gets its share.
			busy, r.full = t, "tenant"
		case f.perDest > 0 && d != nil && d.n >= f.perDest && !d.flowing(now, f.stuckAfter):
			// A destination is shared by many tenants (hooks.slack.com):
			// its bound only stops it from filling the pool while it is
			// stuck; a host that keeps answering is never throttled.
			busy, r.full = d, "destination"
		default:
			take(f.tenants, tenant, now)
			take(f.dests, dest, now)
			f.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { f.release(tenant, dest) }) }, refusal{}, true
		}
		r.stuck = now.Sub(busy.last)
		freed := f.freed
		f.mu.Unlock()
		if r.stuck > f.stuckAfter {
			return nil, r, false // stuck: waiting would only hold a slot
		}
		if timer == nil {
			tm := time.NewTimer(f.wait)
			defer tm.Stop()
			timer = tm.C
		}
		select {
		case <-freed:
		case <-timer:
			return nil, r, false
		case <-ctx.Done():
			return nil, r, false
		}
	}
}

func take(m map[string]*slots, k string, now time.Time) {
	s := m[k]
	if s == nil {
		s = &slots{last: now}
		m[k] = s
	}
	s.n++
}

func (f *inflight) release(tenant, dest string) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range []struct {
		m map[string]*slots
		k string
	}{{f.tenants, tenant}, {f.dests, dest}} {
		if s := e.m[e.k]; s != nil {
			if s.n--; s.n <= 0 {
				delete(e.m, e.k)
			} else {
				s.last, s.finished = now, true
			}
		}
	}
	close(f.freed)
	f.freed = make(chan struct{})
}

// deferFor is how long a refused delivery is put aside: a second or two
// while its tenant is merely busy, growing with how long it has been stuck
// (half of it, at most 30 s), so a hanging endpoint's backlog returns
// rarely and its first delivery after recovery comes soon.
func (r refusal) deferFor(jitter time.Duration) time.Duration {
	d := max(time.Second, min(r.stuck/2, 30*time.Second))
	return d + jitter
}
