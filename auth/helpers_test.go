package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// testArgon2 keeps the tests quick; the benchmarks use the defaults.
var testArgon2 = auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

const jwtSecret = "0123456789abcdef0123456789abcdef-test"

// openStore opens a migrated store on a schema of the test's own.
func openStore(tb testing.TB) *postgres.Store {
	tb.Helper()
	url, schema := testkit.PostgresSchema(tb)
	ctx := context.Background()
	s, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func newTenant(tb testing.TB, s *postgres.Store, slug string) store.Tenant {
	tb.Helper()
	t, err := s.CreateTenant(context.Background(), postgres.NewTenant{Slug: slug})
	if err != nil {
		tb.Fatalf("create tenant %s: %v", slug, err)
	}
	return t
}

// newKey creates a key for the tenant and returns the raw key and record.
func newKey(tb testing.TB, s *postgres.Store, tenantID string, role auth.Role, expires time.Time) (string, auth.KeyRecord) {
	tb.Helper()
	raw, rec, err := auth.NewKey(tenantID, "test key", role, expires, testArgon2)
	if err != nil {
		tb.Fatalf("new key: %v", err)
	}
	rec, err = s.CreateAPIKey(context.Background(), rec)
	if err != nil {
		tb.Fatalf("create key: %v", err)
	}
	return raw, rec
}

// newUser creates an active user with a membership of the tenant.
func newUser(tb testing.TB, s *postgres.Store, email, password, tenantID string, role auth.Role) auth.UserRecord {
	tb.Helper()
	ctx := context.Background()
	h, err := auth.HashPassword(password, testArgon2)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := s.CreateUser(ctx, email, h)
	if err != nil {
		tb.Fatalf("create user: %v", err)
	}
	if err := s.AddMembership(ctx, tenantID, u.ID, role); err != nil {
		tb.Fatalf("add membership: %v", err)
	}
	return u
}

// wantRefused checks err is a refusal with reason, and that its text
// does not carry the credential.
func wantRefused(tb testing.TB, err error, reason, credential string) {
	tb.Helper()
	if !errors.Is(err, auth.ErrUnauthenticated) {
		tb.Fatalf("err = %v, want ErrUnauthenticated (%s)", err, reason)
	}
	if !strings.Contains(err.Error(), reason) {
		tb.Fatalf("err = %q, want reason %q", err, reason)
	}
	if credential != "" && len(credential) > 8 && strings.Contains(err.Error(), credential[len(credential)-8:]) {
		tb.Fatalf("err %q carries the credential", err)
	}
}

func postgresChange(active *bool) postgres.TenantChange { return postgres.TenantChange{Active: active} }
