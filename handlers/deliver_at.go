package handlers

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/store"
)

// closedAtKey carries, through a deliver task's handling, the close time
// of its ledger: the time its delivery record is filed under.
type closedAtKey struct{}

// withLedgerClosedAt notes the deliver task's ledger close time on ctx, so
// every write of its delivery record — the begin and whichever outcome
// path ends the attempt — can name the record's partition.
func withLedgerClosedAt(ctx context.Context, at time.Time) context.Context {
	if at.IsZero() {
		return ctx
	}
	return context.WithValue(ctx, closedAtKey{}, at)
}

// beginDelivery is Deliveries.BeginDelivery, on the record's own
// partition when the log is filed by close time (store.DeliveryLogAt) and
// the task carries it.
func (h *Handlers) beginDelivery(ctx context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	if at, ok := ctx.Value(closedAtKey{}).(time.Time); ok {
		if dl, ok := h.cfg.Deliveries.(store.DeliveryLogAt); ok {
			return dl.BeginDeliveryAt(ctx, key, at, taskID, channel)
		}
	}
	return h.cfg.Deliveries.BeginDelivery(ctx, key, taskID, channel)
}

// finishDelivery is Deliveries.FinishDelivery, as beginDelivery.
func (h *Handlers) finishDelivery(ctx context.Context, key store.DeliveryKey, st store.DeliveryStatus, msg string) error {
	if at, ok := ctx.Value(closedAtKey{}).(time.Time); ok {
		if dl, ok := h.cfg.Deliveries.(store.DeliveryLogAt); ok {
			return dl.FinishDeliveryAt(ctx, key, at, st, msg)
		}
	}
	return h.cfg.Deliveries.FinishDelivery(ctx, key, st, msg)
}
