package api

import (
	"context"
	"strings"
)

func (r *subscriptionResolver) Matches(ctx context.Context, mon *string, after *string) (<-chan *MatchEvent, error) {
	p, err := tenantCaller(ctx, "matches", canRead)
	if err != nil {
		return nil, err
	}
	if r.o.live == nil {
		return nil, notImplemented("matches")
	}
	src, err := r.o.live.Subscribe(ctx, p.TenantID, TopicMatches, deref(after))
	if err != nil {
		return nil, err
	}
	out := make(chan *MatchEvent, 1)
	go func() {
		defer close(out)
		for ev := range src {
			if ev.Kind == EventKindEvent && mon != nil && ev.Monitor != *mon {
				continue
			}
			e := &MatchEvent{Kind: ev.Kind, ID: opt(ev.ID), Message: opt(ev.Message), Monitor: opt(ev.Monitor)}
			if len(ev.Match) > 0 {
				e.Match = ev.Match
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (r *subscriptionResolver) Deliveries(ctx context.Context, status *DeliveryStatus, after *string) (<-chan *DeliveryEvent, error) {
	p, err := tenantCaller(ctx, "deliveries", canRead)
	if err != nil {
		return nil, err
	}
	if r.o.live == nil {
		return nil, notImplemented("deliveries subscription")
	}
	src, err := r.o.live.Subscribe(ctx, p.TenantID, TopicDeliveries, deref(after))
	if err != nil {
		return nil, err
	}
	out := make(chan *DeliveryEvent, 1)
	go func() {
		defer close(out)
		for ev := range src {
			e := &DeliveryEvent{Kind: ev.Kind, ID: opt(ev.ID), Message: opt(ev.Message)}
			if ev.Delivery != nil {
				d := deliveryOf(*ev.Delivery)
				if status != nil && !strings.EqualFold(string(d.Status), string(*status)) {
					continue
				}
				e.Delivery = &d
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
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
