package tenantconfig

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// checkStorage refuses a change that grows the tenant's configuration
// while the tenant occupies more than its max_storage_mb: its delivery
// records as last measured (the scheduler's maintenance rounds) plus its
// configuration as this change leaves it. A change that keeps the
// configuration's size or shrinks it (a delete, a pause, a smaller
// monitor) always passes, so a tenant over its cap can always get back
// under it. A tenant never measured is held to its configuration alone.
func (w *Writer) checkStorage(ctx context.Context, t store.Tenant, s *state, rows postgres.ConfigRows) error {
	before, after := rowsBytes(rows), s.bytes()
	if after <= before {
		return nil
	}
	deliveries, _, err := w.st.StoredDeliveryBytes(ctx, t.ID)
	if err != nil {
		return err
	}
	limit := int64(t.MaxStorageMB) << 20
	if total := deliveries + after; total > limit {
		return quotaExceeded("max_storage_mb", t.MaxStorageMB, fmt.Sprintf(
			"the tenant would occupy %.1f MB (delivery records %.1f MB as last measured, configuration %.1f MB); delete or shrink configuration, or wait for retention to drop old records",
			mb(total), mb(deliveries), mb(after)))
	}
	return nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// rowsBytes is the size of the stored configuration JSON.
func rowsBytes(rows postgres.ConfigRows) int64 {
	var n int64
	for _, kind := range [][]postgres.ConfigRow{rows.Networks, rows.Monitors, rows.Triggers} {
		for _, r := range kind {
			n += int64(len(r.Data))
		}
	}
	return n
}

// bytes is the size of the configuration JSON the change leaves stored.
func (s *state) bytes() int64 {
	var n int64
	for _, m := range []map[string]*item{s.networks, s.monitors, s.triggers} {
		for _, it := range m {
			n += int64(len(it.data))
		}
	}
	return n
}
