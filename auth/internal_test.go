package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPHCBounds(t *testing.T) {
	t.Parallel()
	p := Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	h, err := HashSecret("s3cret", p)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := verifySecret(h, "s3cret"); !ok || err != nil {
		t.Fatalf("own hash: %v %v", ok, err)
	}
	if ok, err := verifySecret(h, "s3creT"); ok || err != nil {
		t.Fatalf("wrong secret: %v %v", ok, err)
	}
	// A stored hash whose parameters would cost gigabytes, or that is not
	// argon2id, is an error and is never run.
	for _, bad := range []string{
		strings.Replace(h, "m=64", "m=4194304", 1),
		strings.Replace(h, "t=1", "t=1000", 1),
		strings.Replace(h, "argon2id", "argon2i", 1),
		strings.Replace(h, "v=19", "v=16", 1),
		"$2a$10$bcrypt", "",
	} {
		if _, err := verifySecret(bad, "s3cret"); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestKeyRoleMapping(t *testing.T) {
	t.Parallel()
	for _, r := range []Role{RoleViewer, RoleMember, RoleAdmin} {
		if got := KeyRole(KeyPermissions(r)); got != r {
			t.Errorf("%s round-trips as %s", r, got)
		}
	}
	for in, want := range map[string]Role{
		`[]`: RoleViewer, `null`: RoleViewer, `not json`: RoleViewer,
		// The tenant-isolation API's per-resource lists are not "*".
		`[{"resource":"monitors","actions":["read","write","delete"]}]`: RoleViewer,
		`[{"resource":"*","actions":["manage"]}]`:                       RoleViewer,
		`[{"resource":"*","actions":["read","write","manage","own"]}]`:  RoleAdmin,
	} {
		if got := KeyRole([]byte(in)); got != want {
			t.Errorf("%s reads as %s, want %s", in, got, want)
		}
	}
	if KeyRole(KeyPermissions(RoleOwner)) == RoleOwner {
		t.Error("an owner key")
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	raw, rec, err := NewKey("t", "k", RoleMember, time.Time{}, Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := parseKey(raw); !ok || id != rec.ID {
		t.Fatalf("parse %q: %q %v, want %q", raw, id, ok, rec.ID)
	}
	if rec.ID[14] != '4' {
		t.Fatalf("id %s is not a version-4 UUID", rec.ID)
	}
}

func TestJWTRoundTrip(t *testing.T) {
	t.Parallel()
	c := claims{Sub: "u", Tid: "t", Exp: 2, Iat: 1}
	tok, err := signJWT(c, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := parseJWT(tok, []byte("k")); err != nil || got != c {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := parseJWT(tok, []byte("K")); err == nil {
		t.Fatal("another key verified")
	}
}

// TestBusy: with every verification slot and queue place taken, a check
// fails at once with ErrBusy instead of queueing more argon2 work.
func TestBusy(t *testing.T) {
	t.Parallel()
	a := New(nil, WithMaxVerifications(1))
	a.waiting.Store(int64(a.o.maxWaiting))
	if _, err := a.verify(context.Background(), "", "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	a.waiting.Store(0)
	a.sem <- struct{}{} // the one slot is busy: a waiter gives up with its context
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.verify(ctx, "", "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if a.Verifications() != 0 {
		t.Fatal("a verification ran")
	}
}

func TestBoundedCache(t *testing.T) {
	t.Parallel()
	c := newBoundedCache[int, int](3)
	now := time.Now()
	for i := range 10 {
		c.put(i, i, now.Add(time.Second))
	}
	if c.len() != 3 {
		t.Fatalf("%d entries, want 3", c.len())
	}
	if _, fresh, found := c.get(9, now); !found || !fresh {
		t.Fatal("the newest entry is missing")
	}
	if _, fresh, found := c.get(9, now.Add(2*time.Second)); !found || fresh {
		t.Fatal("an expired entry reads fresh")
	}
}
