package api

import (
	"context"
	"errors"
	"iter"
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
	return forward(ctx, src, func(ev LiveEvent) (*MatchEvent, bool) {
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
	return forward(ctx, src, func(ev LiveEvent) (*DeliveryEvent, bool) {
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

// forward runs src in one goroutine that hands each event, as conv makes
// it (ok false: skip it), to the channel gqlgen reads: the only goroutine
// a subscription adds to the transport's. An event with End set ends the
// subscription with an error frame.
func forward[T any](ctx context.Context, src iter.Seq[LiveEvent], conv func(LiveEvent) (T, bool)) <-chan T {
	out := make(chan T, 1)
	go func() {
		defer close(out)
		for ev := range src {
			if ev.End != nil {
				endWithError(ctx, ev.End)
				return
			}
			e, ok := conv(ev)
			if !ok {
				continue
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
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
