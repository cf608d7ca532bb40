package live

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// reader reads its share of the feeds with one blocking XREAD over all
// their keys, plus its control key, which Subscribe appends to so that a
// reader blocked in XREAD wakes up and includes a new feed's key.
type reader struct {
	h     *Hub
	ctl   string
	feeds map[string]*feed // by tenant; guarded by h.mu
	wake  chan struct{}    // an idle reader (no feeds) waits on it
}

// readCount bounds the entries one XREAD returns per stream.
const readCount = 512

func (r *reader) run(ctx context.Context) {
	if r.cluster() {
		r.runCluster(ctx)
		return
	}
	ctlLast := "0-0"
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		select {
		case <-r.wake:
		default:
		}
		keys, ids, byKey := r.snapshot()
		if len(keys) == 0 {
			select {
			case <-r.wake:
			case <-ctx.Done():
			}
			continue
		}
		streams := append(append(keys, r.ctl), append(ids, ctlLast)...)
		res, err := r.h.rdb.XRead(ctx, &redis.XReadArgs{Streams: streams, Count: readCount, Block: r.h.o.block}).Result()
		if errors.Is(err, redis.Nil) {
			continue // the block timed out with nothing new
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// Redis restarting, a dropped connection: read again from
			// each feed's last id once it is back; nothing is skipped.
			r.h.o.metrics.Live.ReadErrors.Inc()
			r.h.o.log.Warn("live: read tenant streams; retrying from the last ids", "feeds", len(keys), "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff + rand.N(backoff/2)):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		for _, st := range res {
			if st.Stream == r.ctl {
				if n := len(st.Messages); n > 0 {
					ctlLast = st.Messages[n-1].ID
				}
				continue
			}
			if f := byKey[st.Stream]; f != nil {
				r.h.fanOut(f, st.Messages)
			}
		}
	}
}

// snapshot lists the feeds' keys and positions for the next XREAD.
func (r *reader) snapshot() (keys, ids []string, byKey map[string]*feed) {
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	keys = make([]string, 0, len(r.feeds)+1)
	ids = make([]string, 0, len(r.feeds)+1)
	byKey = make(map[string]*feed, len(r.feeds))
	for _, f := range r.feeds {
		keys = append(keys, f.key)
		ids = append(ids, f.last.String())
		byKey[f.key] = f
	}
	return keys, ids, byKey
}

// poke wakes the reader: an idle one through its channel, one blocked in
// XREAD through its control key (kept to one entry; it expires if the hub
// dies without deleting it).
func (r *reader) poke(ctx context.Context) {
	select {
	case r.wake <- struct{}{}:
	default:
	}
	if r.cluster() {
		return // no XREAD spans feeds there: each new feed gets its own
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	pipe := r.h.rdb.Pipeline()
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.ctl, MaxLen: 1, Values: []any{"wake", "1"}})
	pipe.Expire(ctx, r.ctl, time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		// The reader still sees the new feed when its block times out.
		r.h.o.log.Warn("live: wake a stream reader", "err", err)
	}
}

// fanOut offers a feed's new entries to its live subscribers. A
// subscriber whose buffer is full is cut off (ErrSlowSubscriber) on the
// spot: nobody waits for it.
func (h *Hub) fanOut(f *feed, msgs []redis.XMessage) {
	evs := make([]*Event, 0, len(msgs))
	ids := make([]streamID, 0, len(msgs))
	for _, m := range msgs {
		id, err := parseStreamID(m.ID)
		if err != nil {
			continue
		}
		ev, err := decodeEntry(m.ID, m.Values)
		if err != nil {
			h.o.log.Warn("live: skip an undecodable stream entry", "tenant", f.tenant, "id", m.ID, "err", err)
			ev = nil
		}
		evs = append(evs, ev)
		ids = append(ids, id)
	}
	h.entriesRead.Add(uint64(len(msgs)))
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.gone {
		return
	}
	for i, ev := range evs {
		if !f.last.less(ids[i]) {
			continue // read before by an overlapping XREAD
		}
		f.last = ids[i]
		if ev == nil {
			continue
		}
		for s := range f.subs {
			if !s.live || !s.from.less(ids[i]) || !s.filter.match(ev) {
				continue
			}
			select {
			case s.ch <- ev:
				s.wake()
			default:
				h.o.metrics.Live.SlowCuts.Inc()
				h.endLocked(s, ErrSlowSubscriber)
			}
		}
	}
}

// cluster reports whether the hub reads a Redis Cluster, where one XREAD
// may only name keys of one hash slot.
func (r *reader) cluster() bool {
	_, ok := r.h.rdb.(*redis.ClusterClient)
	return ok
}

// runCluster reads the reader's feeds on a Redis Cluster. A tenant's
// stream is the only key of its hash tag ({tenantID}), and tenants fall in
// any of the 16,384 slots, so each feed gets a blocking XREAD loop of its
// own (readFeed), started here when the feed appears; it ends when the
// feed goes or the hub closes. Subscribe's poke (the wake channel) makes
// the reader look for new feeds.
func (r *reader) runCluster(ctx context.Context) {
	loops := map[*feed]context.CancelFunc{}
	var wg sync.WaitGroup
	defer func() {
		for _, stop := range loops {
			stop()
		}
		wg.Wait()
	}()
	for ctx.Err() == nil {
		current := map[*feed]bool{}
		r.h.mu.Lock()
		for _, f := range r.feeds {
			current[f] = true
		}
		r.h.mu.Unlock()
		for f, stop := range loops {
			if !current[f] {
				stop()
				delete(loops, f)
			}
		}
		for f := range current {
			if loops[f] == nil {
				fctx, stop := context.WithCancel(ctx)
				loops[f] = stop
				wg.Go(func() { r.readFeed(fctx, f) })
			}
		}
		select {
		case <-r.wake:
		case <-ctx.Done():
		}
	}
}

// readFeed is one feed's XREAD loop on a Redis Cluster, with run's
// retry-from-the-last-id on errors. It stops within one block timeout of
// the feed's last subscription ending.
func (r *reader) readFeed(ctx context.Context, f *feed) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		r.h.mu.Lock()
		gone, last := f.gone, f.last.String()
		r.h.mu.Unlock()
		if gone {
			return
		}
		res, err := r.h.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{f.key, last}, Count: readCount, Block: r.h.o.block}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.h.o.metrics.Live.ReadErrors.Inc()
			r.h.o.log.Warn("live: read a tenant stream; retrying from its last id", "tenant", f.tenant, "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff + rand.N(backoff/2)):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		for _, st := range res {
			r.h.fanOut(f, st.Messages)
		}
	}
}
