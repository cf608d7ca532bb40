package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
)

// BenchmarkAuthenticateCachedKey is the per-request cost of a key after
// its first use (goal ≤ 50 µs): a SHA-256 of the token and a map lookup.
func BenchmarkAuthenticateCachedKey(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	acme := newTenant(b, s, "acme")
	raw, rec, err := auth.NewKey(acme.ID, "bench", auth.RoleMember, time.Time{}, auth.DefaultArgon2())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateAPIKey(ctx, rec); err != nil {
		b.Fatal(err)
	}
	a := auth.New(s, auth.WithCacheTTL(time.Hour))
	defer a.Close()
	if _, err := a.Authenticate(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateColdKey is a key's first use: the row read and one
// argon2id verification under the default parameters.
func BenchmarkAuthenticateColdKey(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	acme := newTenant(b, s, "acme")
	raw, rec, err := auth.NewKey(acme.ID, "bench", auth.RoleMember, time.Time{}, auth.DefaultArgon2())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateAPIKey(ctx, rec); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a := auth.New(s)
		if _, err := a.Authenticate(ctx, raw); err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}
