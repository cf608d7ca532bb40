package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store"
)

// hubLive serves the subscriptions from a live.Hub.
type hubLive struct{ h *live.Hub }

// NewHubLive adapts h to Live: a resume that falls outside the retained
// window becomes a GAP notice followed by every retained event, rather
// than a refusal, and a subscription the hub cuts (slow subscriber,
// backlog trimmed while read) ends with an event saying why.
func NewHubLive(h *live.Hub) Live { return hubLive{h: h} }

func (l hubLive) Subscribe(ctx context.Context, tenantID, topic, after string) (LiveStream, error) {
	f := live.Filter{Kind: live.KindMatch}
	if topic == TopicDeliveries {
		f.Kind = live.KindDelivery
	}
	if after != "" && !validEventID(after) {
		return nil, badInput("after: %q is not an event id (want <milliseconds>-<sequence>, as events' id)", clip(after))
	}
	sub, err := l.h.Subscribe(ctx, tenantID, f, after)
	var notice *LiveEvent
	var outside *live.OutsideWindowError
	switch {
	case errors.As(err, &outside):
		notice = &LiveEvent{Kind: EventKindGap, Message: gapMessage(outside)}
		// "0-0": every event the stream still holds, then live ones.
		sub, err = l.h.Subscribe(ctx, tenantID, f, "0-0")
	case err == nil && after != "":
		notice = &LiveEvent{Kind: EventKindResumed, Message: fmt.Sprintf("resumed after %s: every retained event since follows, none missed", after)}
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s of tenant %s: %w", topic, tenantID, err)
	}
	return &hubStream{sub: sub, notice: notice}, nil
}

// hubStream is a live.Subscription as a LiveStream: the notice first,
// then the hub's events, then, when the hub cut the subscription, an
// event saying why.
type hubStream struct {
	sub    *live.Subscription
	notice *LiveEvent // taken first
	ended  bool
}

func (s *hubStream) Notify(f func()) { s.sub.Notify(f) }

func (s *hubStream) Next() (LiveEvent, bool, bool) {
	if s.notice != nil {
		ev := *s.notice
		s.notice = nil
		return ev, true, false
	}
	if s.ended {
		return LiveEvent{}, false, true
	}
	select {
	case ev, open := <-s.sub.Events():
		if open {
			return liveEventOf(ev), true, false
		}
		s.ended = true
		if err := s.sub.Err(); errors.Is(err, live.ErrSlowSubscriber) || errors.Is(err, live.ErrOutsideWindow) {
			return LiveEvent{End: err}, true, false
		}
		return LiveEvent{}, false, true
	default:
		return LiveEvent{}, false, false
	}
}

func gapMessage(e *live.OutsideWindowError) string {
	if e.Oldest == "" {
		return fmt.Sprintf("events after %s are no longer retained and the stream holds none: events were missed; new events follow", e.After)
	}
	return fmt.Sprintf("events after %s are no longer all retained: events were missed; every retained event follows, from %s on", e.After, e.Oldest)
}

// validEventID accepts a Redis Stream id, <milliseconds>-<sequence>.
func validEventID(s string) bool {
	ms, seq, ok := strings.Cut(s, "-")
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return ok && err1 == nil && err2 == nil
}

// liveEventOf is a stream event as the subscriptions show it. A delivery
// event carries what the stream holds: no error text, channel or attempt
// count (the deliveries query has them).
func liveEventOf(ev *live.Event) LiveEvent {
	out := LiveEvent{Kind: EventKindEvent, ID: ev.ID, Monitor: ev.Monitor}
	switch ev.Kind {
	case live.KindMatch:
		out.Match = ev.Match
		if ev.MatchOmitted {
			out.Message = "the match was larger than the stream carries and is left out"
		}
	case live.KindDelivery:
		d := &store.Delivery{Key: store.DeliveryKey{TenantID: ev.TenantID, Monitor: ev.Monitor, Network: ev.Network,
			Ledger: ev.Ledger, TxHash: ev.TxHash, Trigger: ev.Trigger}, Status: store.DeliveryStatus(ev.Status),
			CreatedAt: ev.Time, UpdatedAt: ev.Time}
		if d.Status == store.DeliveryDelivered {
			t := ev.Time
			d.DeliveredAt = &t
		}
		out.Delivery = d
	}
	return out
}
