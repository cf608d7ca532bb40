package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// `ozmon admin tenants storage` lists each tenant's delivery records and
// bytes against its max_storage_mb, marks a tenant over it, and narrows to
// one tenant with --tenant.
func TestAdminTenantsStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _ := testkit.PostgresSchema(t)
	mustAccounts(t, url, "", "tenants", "create", "--slug", "acme", "--max-storage-mb", "0")
	mustAccounts(t, url, "", "tenants", "create", "--slug", "other")
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	var acme string
	if err := pg.Pool().QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'acme'`).Scan(&acme); err != nil {
		t.Fatal(err)
	}
	var ds []store.ExpectedDelivery
	for i := range 3 {
		ds = append(ds, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: acme, Monitor: "m", Network: "n", Ledger: uint64(i), TxHash: "ab", Trigger: "t"},
			TaskID: "x", LedgerClosedAt: time.Now(), Payload: []byte("0123456789")})
	}
	if err := pg.ExpectDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	out := mustAccounts(t, url, "", "tenants", "storage")
	rows := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		rows[f[0]] = f
	}
	if a := rows["acme"]; len(a) < 9 || a[1] != "3" || a[3] != "30" || a[len(a)-1] != "OVER" {
		t.Fatalf("acme's row: %v; want 3 deliveries, 30 payload bytes, over its 0 MB\n%s", a, out)
	}
	if o := rows["other"]; len(o) < 8 || o[1] != "0" || o[len(o)-1] == "OVER" {
		t.Fatalf("other's row: %v; want no deliveries, not over\n%s", o, out)
	}
	out = mustAccounts(t, url, "", "tenants", "storage", "--tenant", "other")
	if strings.Contains(out, "acme") || !strings.Contains(out, "other") {
		t.Fatalf("storage --tenant other:\n%s", out)
	}
	wantAccountsError(t, url, "tenants", `unknown tenant "nope"`, "storage", "--tenant", "nope")
}
