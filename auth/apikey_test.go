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
)

func TestAPIKeyAuthenticates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	a := auth.New(s, auth.WithArgon2(testArgon2))
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleMember, auth.RoleAdmin} {
		raw, rec := newKey(t, s, acme.ID, role, time.Time{})
		if !strings.HasPrefix(raw, "smt_"+strings.ReplaceAll(rec.ID, "-", "")+"_") || len(raw) != 80 {
			t.Fatalf("key %q does not read smt_<id>_<secret> for id %s", raw, rec.ID)
		}
		for _, bearer := range []string{raw, "Bearer " + raw} {
			p, err := a.Authenticate(ctx, bearer)
			if err != nil {
				t.Fatalf("%s key: %v", role, err)
			}
			want := auth.Principal{TenantID: acme.ID, TenantSlug: "acme", Role: role, KeyID: rec.ID}
			if p != want {
				t.Fatalf("%s key: principal %+v, want %+v", role, p, want)
			}
		}
	}
	// Three keys, each verified once; the second use of each came from the cache.
	if n := a.Verifications(); n != 3 {
		t.Fatalf("%d argon2 verifications, want 3", n)
	}
	if _, _, err := auth.NewKey(acme.ID, "k", auth.RoleOwner, time.Time{}, testArgon2); err == nil {
		t.Fatal("an owner key was made")
	}
}

func TestAPIKeyRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	a := auth.New(s, auth.WithArgon2(testArgon2))

	expiredRaw, _ := newKey(t, s, acme.ID, auth.RoleMember, time.Now().Add(-time.Minute))
	_, err := a.Authenticate(ctx, expiredRaw)
	wantRefused(t, err, "API key expired", expiredRaw)

	revokedRaw, revoked := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if err := s.RevokeAPIKey(ctx, acme.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(ctx, revokedRaw)
	wantRefused(t, err, "API key revoked", revokedRaw)

	goodRaw, _ := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	wrongSecret := goodRaw[:len(goodRaw)-43] + strings.Repeat("A", 43)
	_, err = a.Authenticate(ctx, wrongSecret)
	wantRefused(t, err, "unknown API key", wrongSecret)
	before := a.Verifications()
	_, err = a.Authenticate(ctx, wrongSecret)
	wantRefused(t, err, "unknown API key", wrongSecret)
	if a.Verifications() != before {
		t.Fatal("a refused key was verified again within the negative TTL")
	}

	unknownID := "smt_" + strings.Repeat("0", 32) + "_" + strings.Repeat("A", 43)
	_, err = a.Authenticate(ctx, unknownID)
	wantRefused(t, err, "unknown API key", unknownID)

	for _, bad := range []string{"", "smt_", "smt_abc", goodRaw + "x", strings.ToUpper(goodRaw[:36]) + goodRaw[36:],
		goodRaw[:36] + "-" + goodRaw[37:], goodRaw[:len(goodRaw)-1] + "*", strings.Repeat("x", 5000)} {
		_, err := a.Authenticate(ctx, bad)
		if !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("%q: err %v, want ErrUnauthenticated", bad, err)
		}
	}
	_, err = a.Authenticate(ctx, "smt_abc")
	wantRefused(t, err, "malformed credential", "")

	// The tenant disabled: its keys are refused.
	off := false
	offRaw, _ := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if _, err := s.UpdateTenant(ctx, acme.ID, postgresChange(&off)); err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(ctx, offRaw)
	wantRefused(t, err, "tenant is disabled", offRaw)
}

// TestAPIKeyExpiresWhileCached: a cached key stops working at its expiry,
// not at the end of its cache entry.
func TestAPIKeyExpiresWhileCached(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	now := time.Now()
	clock := func() time.Time { return now }
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithCacheTTL(time.Hour), auth.WithClock(clock))
	raw, _ := newKey(t, s, acme.ID, auth.RoleMember, now.Add(time.Minute))
	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	_, err := a.Authenticate(ctx, raw)
	wantRefused(t, err, "API key expired", raw)
}

// TestRevocationWithinCacheTTL: a revoked key is refused once the cache
// TTL has passed (polled, with a short TTL).
func TestRevocationWithinCacheTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithCacheTTL(100*time.Millisecond))
	raw, rec := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, acme.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	var last error
	testkit.WaitUntil(t, 5*time.Second, "the revocation to bite", func() bool {
		_, last = a.Authenticate(ctx, raw)
		return last != nil
	})
	wantRefused(t, last, "API key revoked", raw)
}

// TestCachedKeyRecheck, on a clock of its own: within the TTL the cache
// answers (even for a key revoked meanwhile); after it the row is read
// again, an unchanged hash costs no argon2, and the revocation bites.
func TestCachedKeyRecheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	now := time.Now()
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithCacheTTL(5*time.Second), auth.WithClock(func() time.Time { return now }))
	raw, rec := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	now = now.Add(6 * time.Second) // stale: re-read, same hash
	if p, err := a.Authenticate(ctx, raw); err != nil || p.KeyID != rec.ID {
		t.Fatalf("re-check: %+v %v", p, err)
	}
	if n := a.Verifications(); n != 1 {
		t.Fatalf("%d argon2 verifications after a re-check, want 1", n)
	}
	if err := s.RevokeAPIKey(ctx, acme.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatalf("within the TTL the cache answers: %v", err)
	}
	now = now.Add(6 * time.Second)
	_, err := a.Authenticate(ctx, raw)
	wantRefused(t, err, "API key revoked", raw)
}

// TestKeyHashChangeReverifies: a key whose stored hash changed is verified
// again at its next re-check; a hash of another secret refuses it.
func TestKeyHashChangeReverifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithCacheTTL(50*time.Millisecond))
	raw, rec := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	other, err := auth.HashSecret("some other key", testArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE api_keys SET key_hash = $2 WHERE id = $1`, rec.ID, other); err != nil {
		t.Fatal(err)
	}
	var last error
	testkit.WaitUntil(t, 5*time.Second, "the changed hash to be read", func() bool {
		_, last = a.Authenticate(ctx, raw)
		return last != nil
	})
	wantRefused(t, last, "unknown API key", raw)
	if a.Verifications() != 2 {
		t.Fatalf("%d verifications, want 2", a.Verifications())
	}
}

// TestKeyTenantIsolation: tenant A's key yields tenant A only; tenant B
// cannot see, revoke or borrow it.
func TestKeyTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ta, tb := newTenant(t, s, "tenant-a"), newTenant(t, s, "tenant-b")
	a := auth.New(s, auth.WithArgon2(testArgon2))
	rawA, recA := newKey(t, s, ta.ID, auth.RoleAdmin, time.Time{})
	rawB, _ := newKey(t, s, tb.ID, auth.RoleAdmin, time.Time{})
	pa, err := a.Authenticate(ctx, rawA)
	if err != nil || pa.TenantID != ta.ID || pa.TenantSlug != "tenant-a" {
		t.Fatalf("A's key: %+v %v", pa, err)
	}
	pb, err := a.Authenticate(ctx, rawB)
	if err != nil || pb.TenantID != tb.ID {
		t.Fatalf("B's key: %+v %v", pb, err)
	}
	// A's id with B's secret.
	mixed := rawA[:len(rawA)-43] + rawB[len(rawB)-43:]
	_, err = a.Authenticate(ctx, mixed)
	wantRefused(t, err, "unknown API key", mixed)
	if _, err := s.APIKey(ctx, tb.ID, recA.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("B read A's key: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, tb.ID, recA.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("B revoked A's key: %v", err)
	}
	keysB, err := s.APIKeys(ctx, tb.ID)
	if err != nil || len(keysB) != 1 || keysB[0].ID == recA.ID || keysB[0].Hash != "" {
		t.Fatalf("B's key list: %+v %v", keysB, err)
	}
	if p, err := auth.New(s, auth.WithArgon2(testArgon2)).Authenticate(ctx, rawA); err != nil || p.TenantID != ta.ID {
		t.Fatalf("A's key after B's attempts: %+v %v", p, err)
	}
}

// TestKeyLastUsed: a use is recorded off the request path, once a minute.
func TestKeyLastUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	a := auth.New(s, auth.WithArgon2(testArgon2))
	raw, rec := newKey(t, s, acme.ID, auth.RoleMember, time.Time{})
	if !rec.LastUsedAt.IsZero() {
		t.Fatal("a new key has been used")
	}

	if _, err := a.Authenticate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	a.Close()
	got, err := s.APIKey(ctx, acme.ID, rec.ID)
	if err != nil || got.LastUsedAt.IsZero() {
		t.Fatalf("last_used_at not set: %+v %v", got, err)
	}
	// A second use within the minute writes nothing (the store skips it too).
	first := got.LastUsedAt
	if err := s.TouchAPIKey(ctx, rec.ID, first.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APIKey(ctx, acme.ID, rec.ID); !got.LastUsedAt.Equal(first) {
		t.Fatalf("last_used_at moved within a minute: %s → %s", first, got.LastUsedAt)
	}
	if err := s.TouchAPIKey(ctx, rec.ID, first.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APIKey(ctx, acme.ID, rec.ID); !got.LastUsedAt.After(first) {
		t.Fatal("last_used_at not moved after a minute")
	}
}

func TestOperatorToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	const op = "operator-token-0123456789abcdef"
	a := auth.New(s, auth.WithOperatorToken(op))
	p, err := a.Authenticate(ctx, "Bearer "+op)
	if err != nil || p != (auth.Principal{Operator: true}) || p.Actor() != "operator" {
		t.Fatalf("operator: %+v %v", p, err)
	}
	for _, wrong := range []string{op + "x", op[:len(op)-1], "operator"} {
		_, err := a.Authenticate(ctx, wrong)
		wantRefused(t, err, "unknown credential", wrong)
	}
	// Without a configured token nothing is the operator, not even "".
	_, err = auth.New(s).Authenticate(ctx, op)
	wantRefused(t, err, "unknown credential", op)
}
