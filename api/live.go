package api

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/ozmon/ozmon/store"
)

// The topics of a tenant's live stream.
const (
	TopicMatches    = "matches"
	TopicDeliveries = "deliveries"
)

// LiveEvent is one event of a tenant's live stream, or a notice about the
// stream (Kind EventKindResumed, EventKindGap).
type LiveEvent struct {
	Kind    EventKind
	ID      string // the stream's event id, for resuming
	Message string // for notices
	// For matches: the monitor's id and the MonitorMatch JSON.
	Monitor string
	Match   json.RawMessage
	// For deliveries: the outcome.
	Delivery *store.Delivery
	// End, on the last event only: why the stream ended before the
	// subscriber left (ErrSlowSubscriber, the window lost while catching
	// up). The subscription then ends with an error frame.
	End error
}

// Live is the source of the subscriptions; NewHubLive serves it from a
// live.Hub.
type Live interface {
	// Subscribe streams tenantID's events of topic after the event id
	// after ("" for new events only) until ctx ends; the sequence ends
	// then, or after an event with End set. A resume first yields a
	// RESUMED or a GAP notice. The sequence runs in its caller's
	// goroutine (the subscription resolver's), so a subscription costs no
	// goroutine of its own here; it may be ranged over once.
	Subscribe(ctx context.Context, tenantID, topic, after string) (iter.Seq[LiveEvent], error)
}
