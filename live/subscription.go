package live

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Subscription is one subscriber's view of a tenant's events.
type Subscription struct {
	h      *Hub
	feed   *feed
	filter Filter
	ch     chan *Event
	done   chan struct{} // closed when the subscription ends
	stop   func() bool   // unregisters the context callback
	notify atomic.Pointer[func()]

	// Guarded by h.mu.
	from  streamID // events at or before it are not (re)sent
	live  bool     // receiving from the feed (else still catching up)
	ended bool
	err   error
}

// Events delivers the subscription's events in stream order. Events are
// shared between subscribers: do not modify them. The channel is closed
// when the subscription ends; Err then says why.
func (s *Subscription) Events() <-chan *Event { return s.ch }

// Err is why the subscription ended: ErrSlowSubscriber, ErrOutsideWindow
// (it fell out of the window while catching up), ErrClosed, the context's
// error, or a Redis error while catching up. nil while it is open.
func (s *Subscription) Err() error {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	return s.err
}

// Notify has f called whenever Events may have something new to take:
// an event queued, or the channel closed. It is also called once right
// away, so what was queued before is not missed. A subscriber can then
// take events with a non-blocking receive when told, instead of keeping
// a goroutine waiting on Events for the subscription's whole life.
//
// f runs on the hub's goroutines, possibly holding the hub's lock: it
// must return at once (start a goroutine, signal a channel) and must not
// call the hub or the subscription (Err, Close). A later Notify replaces
// f.
func (s *Subscription) Notify(f func()) {
	s.notify.Store(&f)
	f()
}

// wake tells the subscriber, if it asked (Notify), that Events has
// something new.
func (s *Subscription) wake() {
	if f := s.notify.Load(); f != nil {
		(*f)()
	}
}

// Close ends the subscription (ErrClosed).
func (s *Subscription) Close() { s.end(ErrClosed) }

func (s *Subscription) end(err error) {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.endLocked(s, err)
}

// catchUpPage is how many entries one XRANGE of a catch-up reads.
const catchUpPage = 256

// catchUp sends s the retained events after s.from, page by page, then
// joins the feed: once a read finds nothing newer than the feed's
// position, every later event comes from the feed, and s.from keeps the
// feed from sending one already sent. It is s's only sender until then,
// so it may wait for the subscriber (a resuming client reads its backlog
// at its own pace) and it closes s's channel if s ends meanwhile.
func (h *Hub) catchUp(ctx context.Context, s *Subscription, f *feed) {
	cursor := s.from
	for {
		msgs, err := h.rdb.XRangeN(ctx, f.key, "("+cursor.String(), "+", catchUpPage).Result()
		if err != nil {
			h.abandon(s, fmt.Errorf("resume tenant %s after %s: read the stream: %w", f.tenant, cursor, err))
			return
		}
		if len(msgs) > 0 {
			// Entries trimmed while the subscriber read its backlog would
			// be a silent gap: say so instead.
			if err := h.checkWindow(ctx, f.key, cursor); err != nil {
				h.abandon(s, err)
				return
			}
		}
		for _, m := range msgs {
			id, err := parseStreamID(m.ID)
			if err != nil {
				continue
			}
			cursor = id
			ev, err := decodeEntry(m.ID, m.Values)
			if err != nil || !s.filter.match(ev) {
				continue
			}
			select {
			case s.ch <- ev:
				s.wake()
			case <-s.done:
				close(s.ch)
				s.wake()
				return
			}
		}
		if len(msgs) == catchUpPage {
			continue
		}
		h.mu.Lock()
		if s.ended {
			h.mu.Unlock()
			close(s.ch)
			s.wake()
			return
		}
		if !cursor.less(f.last) {
			s.from, s.live = cursor, true
			h.mu.Unlock()
			return
		}
		h.mu.Unlock() // the feed moved on meanwhile: read up to it
	}
}

// abandon ends a subscription that could not catch up.
func (h *Hub) abandon(s *Subscription, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !s.ended {
		h.endLocked(s, err)
	}
	close(s.ch)
	s.wake()
}
