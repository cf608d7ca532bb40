package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// MeasureTenantStorage keeps what each tenant occupies and flags the one
// past its max_storage_mb; OverStorage and StoredDeliveryBytes read the
// measurement, for that tenant only.
func TestMeasureTenantStorageFlagsTheTenantOverItsCap(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	one := 1
	big, err := s.CreateTenant(ctx, NewTenant{Slug: "big", Quotas: Quotas{MaxStorageMB: &one}})
	if err != nil {
		t.Fatal(err)
	}
	small, err := s.CreateTenant(ctx, NewTenant{Slug: "small", Quotas: Quotas{MaxStorageMB: &one}})
	if err != nil {
		t.Fatal(err)
	}
	if over, _ := s.OverStorage(ctx, big.ID); over {
		t.Fatal("a tenant never measured is over its cap")
	}
	// 24 incompressible payloads of 60 KB: about 1.4 MB for big, one for small.
	var ds []store.ExpectedDelivery
	for i := range 25 {
		tenant := big.ID
		if i == 24 {
			tenant = small.ID
		}
		payload := make([]byte, 60_000)
		rand.Read(payload)
		ds = append(ds, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: "m", Network: "stellar_testnet",
			Ledger: uint64(i), TxHash: fmt.Sprint(i), Trigger: "hook"}, TaskID: "t", Payload: payload})
	}
	if err := s.ExpectDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	over, err := s.MeasureTenantStorage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].TenantID != big.ID || over[0].PayloadBytes < 24*60_000 {
		t.Fatalf("over = %+v; want only big, with its 1.4 MB of payloads", over)
	}
	if ok, err := s.OverStorage(ctx, big.ID); !ok || err != nil {
		t.Fatalf("OverStorage(big) = %v, %v", ok, err)
	}
	if ok, _ := s.OverStorage(ctx, small.ID); ok {
		t.Fatal("small is reported over its cap")
	}
	b, measured, err := s.StoredDeliveryBytes(ctx, small.ID)
	if err != nil || !measured || b < 60_000 || b > 1<<20 {
		t.Fatalf("StoredDeliveryBytes(small) = %d, %v, %v", b, measured, err)
	}
}
