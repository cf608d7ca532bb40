package handlers

import "context"

// StorageCaps is implemented by delivery logs that know which tenants
// occupy more than their max_storage_mb (store/postgres, from the
// scheduler's last measurement).
type StorageCaps interface {
	OverStorage(ctx context.Context, tenantID string) (bool, error)
}

// storageCapped reports whether tenantID is over its storage cap, so its
// new delivery records keep no payload: what a tenant over its cap stops
// adding is the bulk of its records (a payload is most of one), while its
// notifications are still sent and recorded — the record is the
// exactly-once edge. Other tenants are untouched. An unreadable
// measurement counts as not over: the cap never costs a notification.
func (h *Handlers) storageCapped(ctx context.Context, tenantID string) bool {
	sc, ok := h.cfg.Deliveries.(StorageCaps)
	if !ok {
		return false
	}
	over, err := sc.OverStorage(ctx, tenantID)
	if err != nil {
		h.cfg.Log.Warn("read tenants over their storage cap; keeping payloads", "err", err)
		return false
	}
	return over
}
