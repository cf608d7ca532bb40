package handlers

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// publishMatches puts matches whose notifications are enqueued on their
// tenants' live streams, in one round trip. Best-effort: the pipeline's
// work is done, and a failure is logged and counted, never returned. A
// retried batch may publish a match again (the stream is at least once;
// an event's ledger, monitor and tx hash identify the match).
func (h *Handlers) publishMatches(ctx context.Context, matches []encodedMatch) {
	if h.cfg.Live == nil || len(matches) == 0 {
		return
	}
	evs := make([]live.Event, 0, len(matches))
	now := time.Now().UTC()
	for _, em := range matches {
		m := em.m
		js, err := m.MarshalOZJSON()
		if err != nil {
			h.cfg.Log.Warn("live: encode match", "tenant", m.TenantID, "monitor", m.MonitorName, "err", err)
			js = nil
		}
		evs = append(evs, live.Event{TenantID: m.TenantID, Kind: live.KindMatch, Monitor: m.MonitorName, Network: m.Network,
			Ledger: m.Ledger, TxHash: txHash(m), Status: live.MatchStatus, Time: now, Match: js})
	}
	if err := h.cfg.Live.Publish(ctx, evs...); err != nil {
		h.cfg.Log.Warn("live: publish matches; the pipeline goes on without them", "matches", len(evs), "err", err)
	}
}

// publishOutcome puts a recorded delivery outcome on its tenant's live
// stream. It carries the notification id, never the destination nor the
// error text.
func (h *Handlers) publishOutcome(ctx context.Context, key store.DeliveryKey, st store.DeliveryStatus) {
	if h.cfg.Live == nil {
		return
	}
	d := tasks.Deliver{TenantID: key.TenantID, Monitor: key.Monitor, Network: key.Network, Ledger: key.Ledger, TxHash: key.TxHash, Trigger: key.Trigger}
	ev := live.Event{TenantID: key.TenantID, Kind: live.KindDelivery, Monitor: key.Monitor, Network: key.Network, Ledger: key.Ledger,
		TxHash: key.TxHash, Trigger: key.Trigger, Status: string(st), NotificationID: d.NotificationID(), Time: time.Now().UTC()}
	if err := h.cfg.Live.Publish(ctx, ev); err != nil {
		h.cfg.Log.Warn("live: publish delivery outcome; the pipeline goes on without it", "delivery", key.String(), "status", st, "err", err)
	}
}
