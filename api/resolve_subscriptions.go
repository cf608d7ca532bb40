package api

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ozmon/ozmon/live"
)

func (r *subscriptionResolver) Matches(ctx context.Context, mon *string, after *string) (<-chan *MatchEvent, error) {
	p, err := tenantCaller(ctx, "matches", canRead)
	if err != nil {
		return nil, err
	}
	name := ""
	if mon != nil {
		// The stream names monitors; the caller may give the id.
		it, err := r.findItem(ctx, p.TenantID, "monitor", *mon)
		if err != nil {
			return nil, err
		}
		name = it.Name
	}
	src, err := r.o.live.Subscribe(ctx, p.TenantID, TopicMatches, deref(after))
	if err != nil {
		return nil, err
	}
	return stream(ctx, src, func(ev LiveEvent) (*MatchEvent, bool) {
		if ev.Kind == EventKindEvent && name != "" && ev.Monitor != name {
			return nil, false
		}
		e := &MatchEvent{Kind: ev.Kind, ID: opt(ev.ID), Message: opt(ev.Message), Monitor: opt(ev.Monitor)}
		if len(ev.Match) > 0 {
			e.Match = ev.Match
		}
		return e, true
	}), nil
}

func (r *subscriptionResolver) Deliveries(ctx context.Context, status *DeliveryStatus, after *string) (<-chan *DeliveryEvent, error) {
	p, err := tenantCaller(ctx, "deliveries", canRead)
	if err != nil {
		return nil, err
	}
	src, err := r.o.live.Subscribe(ctx, p.TenantID, TopicDeliveries, deref(after))
	if err != nil {
		return nil, err
	}
	return stream(ctx, src, func(ev LiveEvent) (*DeliveryEvent, bool) {
		e := &DeliveryEvent{Kind: ev.Kind, ID: opt(ev.ID), Message: opt(ev.Message)}
		if ev.Delivery != nil {
			d := deliveryOf(*ev.Delivery)
			if status != nil && !strings.EqualFold(string(d.Status), string(*status)) {
				return nil, false
			}
			e.Delivery = &d
		}
		return e, true
	}), nil
}

// stream hands src's events, as conv makes them (ok false: skip one), to
// the channel gqlgen's executor reads, and closes it when src ends; an
// event with End set ends the subscription with an error frame.
//
// Over the WebSocket transport (wsOperation) no goroutine waits on an
// idle subscription: when src says it has something, the operation puts
// one event in the channel (pull) and has the executor take it at once.
// Elsewhere (a subscription sent over POST or graphql-ws) a goroutine
// forwards the events while the operation lasts.
func stream[T any](ctx context.Context, src LiveStream, conv func(LiveEvent) (T, bool)) <-chan T {
	out := make(chan T, 1)
	closed := false
	// pull puts src's next event in out, or closes out when src has
	// ended: false when src has nothing yet (or ctx ended).
	pull := func() bool {
		for !closed {
			ev, ok, ended := src.Next()
			switch {
			case ended:
				closed = true
				close(out)
				return true
			case !ok:
				return false
			case ev.End != nil:
				endWithError(ctx, ev.End)
				continue // src is over: its next answer is ended
			}
			e, keep := conv(ev)
			if !keep {
				continue
			}
			select {
			case out <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		return false
	}
	if op := wsOperationOf(ctx); op != nil {
		op.attach(src, pull)
		return out
	}
	wake := make(chan struct{}, 1)
	src.Notify(func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	go func() {
		for !closed {
			select {
			case <-wake:
			case <-ctx.Done():
				return // the executor stops reading out with ctx
			}
			for pull() {
			}
		}
	}()
	return out
}

// endWithError makes the WebSocket transport close the subscription with
// an error frame saying why, instead of a plain complete. It must run
// before the resolver's channel is closed.
func endWithError(ctx context.Context, err error) {
	e := &gqlerror.Error{Message: "the subscription ended: " + err.Error() + "; resubscribe with the last event id as after",
		Extensions: map[string]any{"code": CodeOutsideWindow}}
	if errors.Is(err, live.ErrSlowSubscriber) {
		e.Message = "the subscription fell too far behind (api.subscriber_buffer) and was cut off; resubscribe with the last event id as after"
		e.Extensions["code"] = CodeSlowSubscriber
	}
	if op := wsOperationOf(ctx); op != nil {
		op.endWith(e)
		return
	}
	defer func() { _ = recover() }() // not over WebSocket: no error frame to send; the stream just ends
	transport.AddSubscriptionError(ctx, e)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
