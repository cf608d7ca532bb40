// Package store owns the persistence contract of ozmon: tenants and their configs,
// the network registry, per-network cursors and the delivery log (store/postgres, store/files).
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is wrapped by lookups of a tenant or delivery that does not
// exist, so callers can tell "gone" from "broken" with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by errors about the request itself (a malformed
// key, an unknown status): retrying cannot help, unlike an unreachable
// database.
var ErrInvalid = errors.New("invalid")

// TenantSource lists tenants and loads each tenant's configuration.
type TenantSource interface {
	// Tenants returns the active tenants, ordered by slug.
	Tenants(ctx context.Context) ([]Tenant, error)
	// TenantConfig loads one tenant's networks, monitors and triggers. Items
	// that fail to parse are reported in TenantConfig.Problems and left out,
	// so one broken monitor never hides the tenant's others. An unknown
	// tenant gives an error wrapping ErrNotFound.
	TenantConfig(ctx context.Context, tenantID string) (*TenantConfig, error)
}

// BulkTenantSource is a TenantSource that loads many tenants'
// configurations at once; a registry's full reload uses it when its
// source has it, so a cold start costs a round trip per chunk of tenants,
// not per tenant.
type BulkTenantSource interface {
	TenantSource
	// TenantConfigs loads the configurations of the tenants with the
	// given ids, each as TenantConfig would; unknown ids are left out.
	TenantConfigs(ctx context.Context, ids []string) ([]*TenantConfig, error)
}

// NetworkRegistry is the operator's list of networks ozmon fetches ledgers
// from. Tenants reference these networks by slug; the RPC endpoints in a
// tenant's own network definitions are never used for fetching.
type NetworkRegistry interface {
	Networks(ctx context.Context) ([]NetworkEndpoints, error)
}

// CursorStore keeps the last ledger processed per network so a restart
// resumes where it stopped instead of skipping to the tip.
type CursorStore interface {
	// Cursor returns the last processed ledger of network; ok is false when
	// the network has never been processed.
	Cursor(ctx context.Context, network string) (ledger uint64, ok bool, err error)
	// AdvanceCursor moves the cursor forward to ledger. A value lower than
	// (or equal to) the stored one is a no-op: cursors never go backwards,
	// so a slow replica cannot undo a faster one's progress.
	AdvanceCursor(ctx context.Context, network string, ledger uint64) error
}

// ChangeWatcher reports configuration changes so workers reload a tenant
// without a restart.
type ChangeWatcher interface {
	// WatchChanges blocks until ctx is done, calling fn with the tenant's id
	// each time that tenant's configuration (tenant row, networks, monitors,
	// triggers or ozmon settings) changes. fn runs on the watcher's
	// goroutine; a slow fn delays the next call, it never loses one. The
	// end of ctx is no failure: WatchChanges then returns nil.
	WatchChanges(ctx context.Context, fn func(tenantID string)) error
}

// DeliveryLog records each notification (one per match and trigger) so a
// retried or duplicated task never sends it twice and operators can see
// what was sent.
type DeliveryLog interface {
	// BeginDelivery creates the record for key, or fetches it, and counts
	// one more attempt. The returned record tells the handler whether the
	// notification was already delivered, in which case it must not be
	// resent (and the attempt is not counted).
	BeginDelivery(ctx context.Context, key DeliveryKey, taskID, channel string) (Delivery, error)
	// FinishDelivery stores the outcome of the attempt. A delivered record is
	// final: finishing it again with another status changes nothing.
	FinishDelivery(ctx context.Context, key DeliveryKey, status DeliveryStatus, lastError string) error
	// ListDeliveries returns records matching filter, newest first.
	ListDeliveries(ctx context.Context, filter DeliveryFilter) ([]Delivery, error)
	// ExpectDeliveries records notifications about to be enqueued as
	// pending; records that exist are left as they are. The log then knows
	// every notification before its task reaches Redis, so one whose task
	// Redis loses is found unfinished.
	ExpectDeliveries(ctx context.Context, ds []ExpectedDelivery) error
}

// ExpectedDelivery is a notification about to be enqueued.
type ExpectedDelivery struct {
	Key     DeliveryKey
	TaskID  string
	Channel string
	// LedgerClosedAt is the close time of the key's ledger: a function of
	// the key (its network and ledger), it files the record by time in a
	// log that keeps a bounded number of weeks. Zero: the time of writing.
	LedgerClosedAt time.Time
	// Payload is what re-sending the notification needs once its task has
	// left the queue (the deliver task's payload, compacted by
	// tasks.CompactDeliver); nil keeps none. Stores may refuse one larger
	// than they allow (store.ErrInvalid).
	Payload []byte
}

// DeliveryLogAt is implemented by delivery logs filed by ledger close
// time (store/postgres partitions by week of it): told the close time of
// the key's ledger — ExpectedDelivery.LedgerClosedAt, carried on the
// deliver task — they read and write the one place that time files the
// record under, instead of looking in every one. A record filed under
// another time is still found: the methods then behave as BeginDelivery
// and FinishDelivery, at their cost.
type DeliveryLogAt interface {
	BeginDeliveryAt(ctx context.Context, key DeliveryKey, closedAt time.Time, taskID, channel string) (Delivery, error)
	FinishDeliveryAt(ctx context.Context, key DeliveryKey, closedAt time.Time, status DeliveryStatus, lastError string) error
}

// Store is everything the pipeline needs from persistence.
type Store interface {
	TenantSource
	NetworkRegistry
	CursorStore
	ChangeWatcher
	DeliveryLog
}

// DeliveryResetter is implemented by stores that let an operator force the
// resend of a notification that was already delivered.
type DeliveryResetter interface {
	ResetDelivery(ctx context.Context, key DeliveryKey) error
}

// OrphanFlagger is implemented by stores that record which deliveries came
// from blocks a chain reorganisation replaced.
type OrphanFlagger interface {
	// FlagOrphaned marks the deliveries of network's block ledger whose
	// transaction is not among canonicalTxs (the replacing block's), and
	// returns how many it marked.
	FlagOrphaned(ctx context.Context, network string, ledger uint64, canonicalTxs []string) (int, error)
}

// PayloadKeeper is implemented by delivery logs that keep each
// notification's payload (ExpectedDelivery.Payload), so a notification can
// be resent after its task has left the queue.
type PayloadKeeper interface {
	// DeliveryPayload returns the payload kept for key; ErrNotFound when
	// there is no record or it keeps no payload.
	DeliveryPayload(ctx context.Context, key DeliveryKey) ([]byte, error)
}

// PendingLister is implemented by delivery logs that can list the
// notifications still pending, oldest first. The scheduler checks each one
// older than its grace period against Redis: a deliver task whose enqueue
// Redis lost (a failover to a replica that had not received it) leaves a
// pending record and nothing else, once its ledger counts as complete.
type PendingLister interface {
	// PendingDeliveries lists the pending records of scope created in
	// [since, until), in creation order (then by key), starting after
	// after (nil: from the first), at most limit.
	PendingDeliveries(ctx context.Context, scope PendingScope, since, until time.Time, after *DeliveryPosition, limit int) ([]PendingDelivery, error)
}

// PendingScope is whose pending records a PendingLister lists: one
// network's, and in a multi-region deployment only those of the tenants
// homed in Region (a tenant without a home region is DefaultRegion's).
// A region's scheduler requeues only its own tenants' notifications, into
// its own Redis; listing another region's would send them from two places.
type PendingScope struct {
	Network       string
	Region        string // "": every tenant
	DefaultRegion string
}
