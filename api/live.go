package api

import (
	"context"
	"encoding/json"

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
	// after ("" for new events only) until ctx ends, or until an event
	// with End set. A resume first yields a RESUMED or a GAP notice.
	Subscribe(ctx context.Context, tenantID, topic, after string) (LiveStream, error)
}

// LiveStream is one subscription's events, taken when told they are
// there: no goroutine has to wait on an idle subscription, which is most
// of them, most of the time.
type LiveStream interface {
	// Next takes the next event without waiting: ok is false when there
	// is none yet; ended is true once the stream is over and its last
	// event was taken. One goroutine at a time calls it.
	Next() (ev LiveEvent, ok, ended bool)
	// Notify has f called whenever Next may have something new (an
	// event, the end), and once right away. f must return at once and
	// must not call the stream: it may run under the source's lock.
	Notify(f func())
}
