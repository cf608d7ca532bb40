package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
)

const password = "correct horse battery staple"

func TestLoginAndSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	u := newUser(t, s, " Alice@Example.com ", password, acme.ID, auth.RoleAdmin)
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithJWTSecret(jwtSecret))

	sess, err := a.Login(ctx, "alice@example.COM", password, "")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	want := auth.Principal{TenantID: acme.ID, TenantSlug: "acme", Role: auth.RoleAdmin, UserID: u.ID}
	if sess.Principal != want || !sess.ExpiresAt.After(time.Now()) {
		t.Fatalf("session %+v, want principal %+v", sess, want)
	}
	p, err := a.Authenticate(ctx, "Bearer "+sess.Token)
	if err != nil || p != want {
		t.Fatalf("authenticate session: %+v %v", p, err)
	}
	if p.Actor() != "user:"+u.ID {
		t.Fatalf("actor %q", p.Actor())
	}

	// Wrong password and unknown e-mail: the same error, and both run argon2.
	before := a.Verifications()
	_, errPw := a.Login(ctx, "alice@example.com", "wrong password!!", "")
	_, errMail := a.Login(ctx, "nobody@example.com", password, "")
	wantRefused(t, errPw, "wrong e-mail or password", "")
	if errPw.Error() != errMail.Error() {
		t.Fatalf("wrong password %q and unknown e-mail %q differ", errPw, errMail)
	}
	if n := a.Verifications() - before; n != 2 {
		t.Fatalf("%d argon2 runs for a wrong password and an unknown e-mail, want 2", n)
	}
	if _, err := a.Login(ctx, "alice@example.com", strings.Repeat("x", 2000), ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("huge password: %v", err)
	}

	// A tenant the user does not belong to.
	other := newTenant(t, s, "other")
	_, err = a.Login(ctx, "alice@example.com", password, "other")
	wantRefused(t, err, "not a member of this tenant", "")
	// Two tenants: the slug is required, then chooses.
	if err := s.AddMembership(ctx, other.ID, u.ID, auth.RoleViewer); err != nil {
		t.Fatal(err)
	}
	_, err = a.Login(ctx, "alice@example.com", password, "")
	wantRefused(t, err, "member of several tenants", "")
	sess2, err := a.Login(ctx, "alice@example.com", password, "other")
	if err != nil || sess2.Principal.TenantID != other.ID || sess2.Principal.Role != auth.RoleViewer {
		t.Fatalf("login to other: %+v %v", sess2, err)
	}
	// A session of one tenant never yields the other.
	if p, err := a.Authenticate(ctx, sess.Token); err != nil || p.TenantID != acme.ID {
		t.Fatalf("acme session: %+v %v", p, err)
	}
}

func TestLoginRefusesDisabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	u := newUser(t, s, "bob@example.com", password, acme.ID, auth.RoleMember)
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithJWTSecret(jwtSecret), auth.WithCacheTTL(50*time.Millisecond))
	sess, err := a.Login(ctx, "bob@example.com", password, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserActive(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err = a.Login(ctx, "bob@example.com", password, "acme")
	wantRefused(t, err, "user is disabled", "")
	var last error
	testkit.WaitUntil(t, 5*time.Second, "the disabled user's session to be refused", func() bool {
		_, last = a.Authenticate(ctx, sess.Token)
		return last != nil
	})
	wantRefused(t, last, "user is disabled", sess.Token)

	if err := s.SetUserActive(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := s.UpdateTenant(ctx, acme.ID, postgresChange(&off)); err != nil {
		t.Fatal(err)
	}
	_, err = a.Login(ctx, "bob@example.com", password, "acme")
	wantRefused(t, err, "tenant is disabled", "")
	testkit.WaitUntil(t, 5*time.Second, "the disabled tenant's session to be refused", func() bool {
		_, last = a.Authenticate(ctx, sess.Token)
		return last != nil
	})
	wantRefused(t, last, "tenant is disabled", sess.Token)
}

// TestSessionRoleReread: a role change and a removal reach a live session
// once its cache entry expires.
func TestSessionRoleReread(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	u := newUser(t, s, "carol@example.com", password, acme.ID, auth.RoleViewer)
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithJWTSecret(jwtSecret), auth.WithCacheTTL(50*time.Millisecond))
	sess, err := a.Login(ctx, "carol@example.com", password, "")
	if err != nil {
		t.Fatal(err)
	}
	if sess.Principal.Role != auth.RoleViewer {
		t.Fatalf("role %s, want viewer", sess.Principal.Role)
	}
	if err := s.AddMembership(ctx, acme.ID, u.ID, auth.RoleOwner); err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 5*time.Second, "the new role", func() bool {
		p, err := a.Authenticate(ctx, sess.Token)
		return err == nil && p.Role == auth.RoleOwner
	})
	if err := s.RemoveMembership(ctx, acme.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	var last error
	testkit.WaitUntil(t, 5*time.Second, "the removal", func() bool {
		_, last = a.Authenticate(ctx, sess.Token)
		return last != nil
	})
	wantRefused(t, last, "not a member of this tenant", sess.Token)
}

func TestSessionTokenRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	acme := newTenant(t, s, "acme")
	victim := newTenant(t, s, "victim")
	newUser(t, s, "dave@example.com", password, acme.ID, auth.RoleMember)
	now := time.Now()
	a := auth.New(s, auth.WithArgon2(testArgon2), auth.WithJWTSecret(jwtSecret), auth.WithTokenTTL(time.Minute),
		auth.WithClock(func() time.Time { return now }))
	sess, err := a.Login(ctx, "dave@example.com", password, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sess.Token, ".")
	b64 := base64.RawURLEncoding
	payload, _ := b64.DecodeString(parts[1])

	tampered := parts[0] + "." + b64.EncodeToString([]byte(strings.Replace(string(payload), acme.ID, victim.ID, 1))) + "." + parts[2]
	none := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	rs256 := b64.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2]
	kid := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT","kid":"x"}`)) + "." + parts[1] + "." + parts[2]
	for name, tok := range map[string]string{"tampered tenant": tampered, "alg none": none, "RS256 header": rs256,
		"extra header": kid, "garbage": "a.b.c", "no signature": parts[0] + "." + parts[1] + "."} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(ctx, tok)
			wantRefused(t, err, "invalid session token", tok)
		})
	}
	// Another secret.
	b := auth.New(s, auth.WithJWTSecret(jwtSecret+"-other"))
	_, err = b.Authenticate(ctx, sess.Token)
	wantRefused(t, err, "invalid session token", sess.Token)
	// Without a secret, sessions are off.
	_, err = auth.New(s).Authenticate(ctx, sess.Token)
	wantRefused(t, err, "not enabled", sess.Token)
	_, err = auth.New(s).Login(ctx, "dave@example.com", password, "")
	wantRefused(t, err, "not enabled", "")

	if _, err := a.Authenticate(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // past exp, though the cache entry would be fresh by TTL alone
	_, err = a.Authenticate(ctx, sess.Token)
	wantRefused(t, err, "session token expired", sess.Token)
}
