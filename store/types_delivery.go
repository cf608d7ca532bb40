package store

import (
	"fmt"
	"time"
)

// DeliveryStatus is where a delivery is in its life:
// pending → sending → delivered, or → failed (will be retried) → archived
// (retries exhausted, in the dead-letter queue). A record left in sending
// by an attempt that never recorded its outcome (a worker killed mid-send)
// is in doubt: the receiver may or may not have it. The next attempt
// resends it with the same notification id, or, for channels that carry no
// id when the operator asked to hold them, marks it in_doubt and archives
// the task for the operator to decide.
type DeliveryStatus string

// The delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySending   DeliveryStatus = "sending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryArchived  DeliveryStatus = "archived"
	DeliveryInDoubt   DeliveryStatus = "in_doubt"
)

// Valid reports whether s is a known status.
func (s DeliveryStatus) Valid() bool {
	switch s {
	case DeliveryPending, DeliverySending, DeliveryDelivered, DeliveryFailed, DeliveryArchived, DeliveryInDoubt:
		return true
	}
	return false
}

// DeliveryKey identifies one notification: one trigger fired for one match
// of one monitor in one transaction. It is the idempotency key of the
// delivery edge.
type DeliveryKey struct {
	TenantID string // UUID, as text
	Monitor  string // monitor name
	Network  string // network slug
	Ledger   uint64
	TxHash   string
	Trigger  string // trigger name as the monitor references it
}

func (k DeliveryKey) String() string {
	return fmt.Sprintf("tenant %s monitor %q network %s ledger %d tx %s trigger %q",
		k.TenantID, k.Monitor, k.Network, k.Ledger, k.TxHash, k.Trigger)
}

// Delivery is the stored record of one notification.
type Delivery struct {
	Key            DeliveryKey
	TaskID         string
	Status         DeliveryStatus
	Attempts       int
	LastError      string
	Channel        string // slack, webhook, …
	FirstAttemptAt *time.Time
	DeliveredAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Orphaned is set when the match came from a block a reorg replaced.
	Orphaned bool
	// Previous is the status before this attempt, as BeginDelivery found it
	// ("" for a new record). DeliverySending there means an earlier attempt
	// started and never recorded its outcome: the notification is in doubt.
	Previous DeliveryStatus
}

// DeliveryFilter selects deliveries for ListDeliveries. Zero fields do not
// filter. Since and Until bound the record's creation time (Since
// inclusive, Until exclusive).
type DeliveryFilter struct {
	TenantID string
	Monitor  string
	Since    time.Time
	Until    time.Time
	TaskID   string
	Status   DeliveryStatus
	Limit    int // default 100, at most 1000
	// After, when set, keeps only the records that come after it in the
	// list order: the next page after a page's last record.
	After *DeliveryPosition
}

// PendingDelivery is a notification recorded as expected and never
// attempted (status pending), with the compacted payload its deliver task
// was enqueued with (ExpectedDelivery.Payload; nil when none was kept).
type PendingDelivery struct {
	Key       DeliveryKey
	TaskID    string
	CreatedAt time.Time
	Payload   []byte
}
