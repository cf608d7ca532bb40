package postgres

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkTenantConfig loads (one batched round trip, parse, validate) a
// tenant with one network, five monitors and two triggers.
func BenchmarkTenantConfig(b *testing.B) { benchTenantConfig(b) }

// BenchmarkTenantConfigSealed is BenchmarkTenantConfig with its five
// secrets (RPC URL; two triggers' URL and header) encrypted at rest: the
// difference is the cost of opening them.
func BenchmarkTenantConfigSealed(b *testing.B) {
	benchTenantConfig(b, WithKeyring(testKeyring(b, "k1", map[string]byte{"k1": 1})))
}

func benchTenantConfig(b *testing.B, opts ...Option) {
	s, _ := openTestStore(b, opts...)
	ctx := context.Background()
	f := standardFixture()
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("Extra %d", i)
		f.Monitors[name] = monitorJSON(name, "stellar_testnet", fmt.Sprintf("amount > %d AND from != GABC", i), "ops_hook")
	}
	id := importFixture(b, s, "acme", f)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tc, err := s.TenantConfig(ctx, id)
		if err != nil || len(tc.Config.Monitors) != 5 {
			b.Fatalf("load: %v (%d monitors)", err, len(tc.Config.Monitors))
		}
	}
}

// BenchmarkTenants lists 1,000 active tenants.
func BenchmarkTenants(b *testing.B) {
	s, _ := openTestStore(b)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO tenants (name, slug)
		SELECT 'Tenant ' || i, 'tenant-' || lpad(i::text, 4, '0') FROM generate_series(1, 1000) AS i`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ts, err := s.Tenants(ctx)
		if err != nil || len(ts) != 1000 {
			b.Fatalf("tenants: %v (%d)", err, len(ts))
		}
	}
}
