package live

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Publisher appends events to tenants' streams. Workers hold one; a nil
// *Publisher publishes nothing, so callers need no "if live enabled".
type Publisher struct {
	rdb redis.UniversalClient
	o   options
}

// NewPublisher returns a publisher writing through rdb. Options:
// WithKeyPrefix, WithMaxLen, WithTimeout, WithMaxMatchBytes, WithMetrics,
// WithLogger.
func NewPublisher(rdb redis.UniversalClient, opts ...Option) *Publisher {
	return &Publisher{rdb: rdb, o: newOptions(opts)}
}

// Publish appends evs, each to its tenant's stream, in one pipelined
// round trip bounded by the publisher's timeout (and not by ctx's
// cancellation: a task that finished its work still reports it). An error
// means some or all events were not published; they are counted, and the
// caller should log and go on — the pipeline never waits for or fails on
// the live stream. Each stream is trimmed to about the publisher's
// MaxLen.
func (p *Publisher) Publish(ctx context.Context, evs ...Event) error {
	if p == nil || len(evs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.o.timeout)
	defer cancel()
	pipe := p.rdb.Pipeline()
	queued := 0
	var firstErr error
	for i := range evs {
		key, js, err := p.encode(&evs[i])
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, MaxLen: p.o.maxLen, Approx: true, Values: []any{streamField, js}})
		queued++
	}
	failed := len(evs) - queued
	if queued > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			failed = len(evs)
			firstErr = cmpErr(firstErr, fmt.Errorf("append %d live events: %w", queued, err))
		}
	}
	if failed > 0 {
		p.o.metrics.Live.PublishFailures.Add(float64(failed))
	}
	p.o.metrics.Live.Published.Add(float64(len(evs) - failed))
	return firstErr
}

// encode returns the event's stream key and entry JSON, its match left
// out when larger than the publisher allows.
func (p *Publisher) encode(ev *Event) (string, []byte, error) {
	key, err := streamKey(p.o.prefix, ev.TenantID)
	if err != nil {
		return "", nil, fmt.Errorf("publish %s event of monitor %q: %w", ev.Kind, ev.Monitor, err)
	}
	if len(ev.Match) > p.o.matchBytes {
		e := *ev
		e.Match, e.MatchOmitted = nil, true
		ev = &e
	}
	js, err := json.Marshal(ev)
	if err != nil {
		return "", nil, fmt.Errorf("publish %s event of tenant %s monitor %q: encode: %w", ev.Kind, ev.TenantID, ev.Monitor, err)
	}
	return key, js, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
