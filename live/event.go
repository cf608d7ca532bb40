package live

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind says what an event reports.
type Kind string

const (
	// KindMatch is a monitor match, published once its notifications are
	// enqueued.
	KindMatch Kind = "match"
	// KindDelivery is a delivery outcome as recorded in the delivery log.
	KindDelivery Kind = "delivery"
)

// MatchStatus is the Status of every match event.
const MatchStatus = "matched"

// Event is one entry of a tenant's stream. It never carries a secret: no
// trigger configuration, no destination, no error text.
type Event struct {
	// ID is the stream entry's id, set on events read from a stream: the
	// token a subscriber resumes after.
	ID string `json:"-"`
	// TenantID names the stream the event is published to; it is not
	// stored in the entry (the key says it).
	TenantID string `json:"-"`

	Kind    Kind   `json:"kind"`
	Monitor string `json:"monitor"`
	Network string `json:"network"`
	Ledger  uint64 `json:"ledger"`
	TxHash  string `json:"tx_hash,omitempty"`
	// Trigger, for deliveries: the trigger the notification went through.
	Trigger string `json:"trigger,omitempty"`
	// Status is MatchStatus for a match; for a delivery, the delivery
	// log's status: delivered, failed (will be retried), archived,
	// in_doubt.
	Status string `json:"status"`
	// NotificationID, for deliveries: the id the receiver got.
	NotificationID string    `json:"notification_id,omitempty"`
	Time           time.Time `json:"time"`
	// Match, for matches: OpenZeppelin Monitor's MonitorMatch JSON, the
	// document a webhook receives. Omitted (and MatchOmitted set) when it
	// exceeds the publisher's size bound.
	Match        json.RawMessage `json:"match,omitempty"`
	MatchOmitted bool            `json:"match_omitted,omitempty"`
}

// streamField is the entry field holding the event's JSON.
const streamField = "e"

func decodeEntry(id string, values map[string]any) (*Event, error) {
	raw, ok := values[streamField].(string)
	if !ok {
		return nil, fmt.Errorf("stream entry %s has no %q field", id, streamField)
	}
	ev := &Event{ID: id}
	if err := json.Unmarshal([]byte(raw), ev); err != nil {
		return nil, fmt.Errorf("decode stream entry %s: %w", id, err)
	}
	return ev, nil
}
