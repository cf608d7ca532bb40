package postgres

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// Each tenant's storage counts its own delivery records, payloads and
// configuration only, and a tenant over its max_storage_mb says so.
func TestTenantsStorage(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	acme := importFixture(t, s, "acme", standardFixture())
	other := importFixture(t, s, "other", standardFixture())
	payload := make([]byte, 3000)
	_, _ = rand.Read(payload) // incompressible, as a compacted payload is
	var ds []store.ExpectedDelivery
	for i := range 5 {
		ds = append(ds, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: acme, Monitor: "Big swaps", Network: "stellar_testnet",
			Ledger: uint64(i), TxHash: "ab", Trigger: "ops_hook"}, TaskID: "t", LedgerClosedAt: time.Now(), Payload: payload})
	}
	if err := s.ExpectDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	all, err := s.TenantsStorage(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].TenantID != acme || all[1].TenantID != other {
		t.Fatalf("storage of %+v, want acme then other", all)
	}
	a, o := all[0], all[1]
	if a.Deliveries != 5 || a.PayloadBytes != 5*3000 || a.DeliveryBytes < a.PayloadBytes || a.ConfigBytes == 0 {
		t.Errorf("acme: %+v; want 5 records, 15000 payload bytes within the record bytes, some config", a)
	}
	if o.Deliveries != 0 || o.DeliveryBytes != 0 || o.ConfigBytes != a.ConfigBytes {
		t.Errorf("other: %+v; want no records and the same config size as acme (%d)", o, a.ConfigBytes)
	}
	if a.Over() {
		t.Errorf("acme over its %d MB with %d bytes", a.QuotaMB, a.Total())
	}
	if _, err := s.pool.Exec(ctx, `UPDATE tenants SET max_storage_mb = 0 WHERE id = $1`, acme); err != nil {
		t.Fatal(err)
	}
	one, err := s.TenantsStorage(ctx, acme)
	if err != nil || len(one) != 1 || !one[0].Over() {
		t.Fatalf("acme with a 0 MB quota: %+v, %v; want over", one, err)
	}
	if _, err := s.TenantsStorage(ctx, "nope"); err == nil {
		t.Error("a malformed tenant id was accepted")
	}
}
