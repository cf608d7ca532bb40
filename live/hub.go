package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Hub fans tenants' streams out to subscribers in one API process. Each
// tenant with subscribers has one feed, read by one of the hub's readers;
// every event read is offered to each of the tenant's subscribers without
// waiting for any.
type Hub struct {
	rdb    redis.UniversalClient
	o      options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards feeds, every feed's fields and every subscription's
	// state. Fan-out holds it only for non-blocking sends.
	mu      sync.Mutex
	feeds   map[string]*feed // by tenant id
	readers []*reader
	closed  bool

	entriesRead atomic.Uint64
}

// feed is one tenant's stream as this process reads it.
type feed struct {
	tenant, key string
	r           *reader
	// last is the id up to which events were fanned out: a subscriber
	// joining the feed receives every event after it.
	last streamID
	// subs are the feed's open subscriptions; those catching up (not
	// live) are skipped by the fan-out.
	subs map[*Subscription]struct{}
	gone bool
}

// NewHub returns a hub reading through rdb, with its readers running until
// Close. On one server (or a Sentinel-managed primary) the hub holds at
// most one connection per reader at a time, plus short-lived ones for
// subscribing and catching up. On a Redis Cluster one XREAD cannot name
// keys of several slots, so each feed is read by a blocking XREAD of its
// own: one connection per tenant with subscribers (see reader.runCluster).
// Options: WithKeyPrefix, WithBuffer, WithReaders, WithMetrics, WithLogger.
func NewHub(rdb redis.UniversalClient, opts ...Option) *Hub {
	o := newOptions(opts)
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{rdb: rdb, o: o, ctx: ctx, cancel: cancel, feeds: map[string]*feed{}}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	for i := range o.readers {
		r := &reader{h: h, ctl: fmt.Sprintf("%s:hub:%s:%d", o.prefix, hex.EncodeToString(nonce[:]), i),
			feeds: map[string]*feed{}, wake: make(chan struct{}, 1)}
		h.readers = append(h.readers, r)
		h.wg.Go(func() { r.run(ctx) })
	}
	return h
}

// Close ends every subscription (ErrClosed) and stops the readers.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	for _, f := range h.feeds {
		for s := range f.subs {
			h.endLocked(s, ErrClosed)
		}
	}
	h.mu.Unlock()
	h.cancel()
	for _, r := range h.readers {
		r.poke(context.Background())
	}
	h.wg.Wait()
	// Subscriptions still catching up end on their own (their context).
	ctx := context.Background()
	for _, r := range h.readers {
		h.rdb.Del(ctx, r.ctl)
	}
}

// Stats is a snapshot of the hub's work.
type Stats struct {
	Feeds         int    // tenants whose stream this hub reads
	Subscriptions int    // open subscriptions
	EntriesRead   uint64 // stream entries the readers read, all tenants
}

// Stats reports how many feeds and subscriptions are open and how many
// entries were read: with one feed per tenant, EntriesRead grows once per
// event however many subscribers receive it.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Stats{Feeds: len(h.feeds), EntriesRead: h.entriesRead.Load()}
	for _, f := range h.feeds {
		st.Subscriptions += len(f.subs)
	}
	return st
}

// Subscribe opens a subscription to tenantID's events that filter
// selects, until ctx ends or the subscription is closed or cut.
//
// With after empty, it receives events published from now on. With after
// the id of the last event the client saw, it first receives every
// retained event after it, then live ones, each once and in order; when
// events after it are no longer retained, Subscribe returns an
// *OutsideWindowError (errors.Is ErrOutsideWindow).
func (h *Hub) Subscribe(ctx context.Context, tenantID string, filter Filter, after string) (*Subscription, error) {
	key, err := streamKey(h.o.prefix, tenantID)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	if err := filter.validate(); err != nil {
		return nil, fmt.Errorf("subscribe tenant %s: %w", tenantID, err)
	}
	var from streamID
	if after != "" {
		if from, err = parseStreamID(after); err != nil {
			return nil, fmt.Errorf("subscribe tenant %s: resume: %w", tenantID, err)
		}
		if err := h.checkWindow(ctx, key, from); err != nil {
			return nil, fmt.Errorf("subscribe tenant %s: %w", tenantID, err)
		}
	}
	s := &Subscription{h: h, filter: filter, from: from, ch: make(chan *Event, h.o.buffer), done: make(chan struct{})}
	f, err := h.attach(ctx, tenantID, key, s, after == "")
	if err != nil {
		return nil, fmt.Errorf("subscribe tenant %s: %w", tenantID, err)
	}
	h.mu.Lock()
	// Registered under the lock so an already-ended ctx ends s only once
	// s is fully set up.
	s.stop = context.AfterFunc(ctx, func() { s.end(ctx.Err()) })
	if s.ended {
		s.stop() // cut already (a burst filled its buffer)
	}
	h.mu.Unlock()
	if after != "" {
		h.wg.Go(func() { h.catchUp(ctx, s, f) })
	}
	return s, nil
}

// attach adds s to the tenant's feed, starting the feed (at the stream's
// current end) when s is its first subscription. A live s receives every
// event after the feed's position from then on.
func (h *Hub) attach(ctx context.Context, tenantID, key string, s *Subscription, live bool) (*feed, error) {
	h.mu.Lock()
	f := h.feeds[tenantID]
	h.mu.Unlock()
	var end streamID
	if f == nil {
		// Outside the lock: a Redis round trip. A concurrent first
		// subscriber may start the feed meanwhile; then its feed is used.
		var err error
		if end, err = h.streamEnd(ctx, key); err != nil {
			return nil, err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	f = h.feeds[tenantID]
	if f == nil {
		f = &feed{tenant: tenantID, key: key, last: end, subs: map[*Subscription]struct{}{}}
		f.r = h.readers[readerOf(tenantID, len(h.readers))]
		h.feeds[tenantID] = f
		f.r.feeds[tenantID] = f
		h.o.metrics.Live.Feeds.Inc()
		defer f.r.poke(ctx) // a reader blocked in XREAD learns of the new key
	}
	s.feed, s.live = f, live
	f.subs[s] = struct{}{}
	h.o.metrics.Live.Subscriptions.Inc()
	return f, nil
}

// streamEnd is the id of the stream's newest entry (zero when it has
// none): a new feed fans out what comes after it.
func (h *Hub) streamEnd(ctx context.Context, key string) (streamID, error) {
	msgs, err := h.rdb.XRevRangeN(ctx, key, "+", "-", 1).Result()
	if err != nil {
		return streamID{}, fmt.Errorf("read the end of the stream: %w", err)
	}
	if len(msgs) == 0 {
		return streamID{}, nil
	}
	return parseStreamID(msgs[0].ID)
}

// checkWindow refuses a resume id after which the stream may have lost
// entries, or one the stream never issued (a stream recreated since, e.g.
// Redis lost its data). Trimming removes the oldest entries and Redis
// does not record the last one it removed, so an id older than the oldest
// retained entry of a trimmed stream is refused — also in the one case
// where nothing was lost (the client saw exactly the last entry trimmed).
func (h *Hub) checkWindow(ctx context.Context, key string, after streamID) error {
	if after.isZero() {
		return nil // from the beginning: whatever is retained
	}
	info, err := h.rdb.XInfoStream(ctx, key).Result()
	if err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("resume after %s: read the stream's window: %w", after, err)
	}
	if err != nil {
		return &OutsideWindowError{After: after.String()}
	}
	oldest := info.FirstEntry.ID
	if last, err := parseStreamID(info.LastGeneratedID); err == nil && last.less(after) {
		return &OutsideWindowError{After: after.String(), Oldest: oldest}
	}
	if info.EntriesAdded <= info.Length {
		return nil // never trimmed
	}
	first, err := parseStreamID(oldest)
	if err != nil || after.less(first) {
		return &OutsideWindowError{After: after.String(), Oldest: oldest}
	}
	return nil
}

func isNoSuchKey(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) &&
		(errors.Is(err, redis.Nil) || err.Error() == "ERR no such key")
}

// endLocked ends s with err: it leaves its feed (the feed stops with its
// last subscription) and its channel is closed — here when it is live,
// by its catch-up goroutine otherwise (the only sender until then).
func (h *Hub) endLocked(s *Subscription, err error) {
	if s.ended {
		return
	}
	s.ended, s.err = true, err
	if s.stop != nil {
		s.stop()
	}
	close(s.done)
	f := s.feed
	delete(f.subs, s)
	if s.live {
		close(s.ch)
		s.wake()
	}
	h.o.metrics.Live.Subscriptions.Dec()
	if len(f.subs) == 0 {
		f.gone = true
		delete(h.feeds, f.tenant)
		delete(f.r.feeds, f.tenant)
		h.o.metrics.Live.Feeds.Dec()
	}
}

// readerOf spreads tenants over the readers.
func readerOf(tenantID string, n int) int {
	x := fnv.New32a()
	_, _ = x.Write([]byte(tenantID))
	return int(x.Sum32() % uint32(n))
}
