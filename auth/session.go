package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxPasswordLen bounds what Login hashes.
const maxPasswordLen = 1024

// minPasswordLen is the shortest password HashPassword accepts.
const minPasswordLen = 12

// Session is what Login returns: the token to send as a bearer credential
// until ExpiresAt, and the caller it authenticates.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Principal Principal
}

// NormalizeEmail is how e-mail addresses are stored and looked up:
// trimmed and lower-cased.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// HashPassword checks a new password's length (12 to 1024 bytes) and
// returns its argon2id PHC string under p.
func HashPassword(password string, p Argon2Params) (string, error) {
	if len(password) < minPasswordLen {
		return "", fmt.Errorf("password: at least %d characters", minPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return "", fmt.Errorf("password: at most %d bytes", maxPasswordLen)
	}
	return HashSecret(password, p)
}

// Login checks a user's e-mail and password and returns a session token
// for one tenant: tenantSlug, or the only tenant the user belongs to when
// it is empty. A wrong e-mail and a wrong password give the same error
// after the same work (an unknown user is verified against a dummy hash).
func (a *Authenticator) Login(ctx context.Context, email, password, tenantSlug string) (Session, error) {
	if len(a.o.jwtSecret) == 0 {
		return Session{}, errNoSessions
	}
	if len(password) > maxPasswordLen {
		return Session{}, errWrongLogin
	}
	u, err := a.st.UserByEmail(ctx, NormalizeEmail(email))
	if err != nil && !isNotFound(err) {
		return Session{}, fmt.Errorf("login: read user: %w", err)
	}
	hash := u.PasswordHash
	if err != nil {
		hash = a.dummyHash()
	}
	ok, verr := a.verify(ctx, hash, password)
	if ctx.Err() != nil {
		return Session{}, ctx.Err()
	}
	if errors.Is(verr, ErrBusy) {
		return Session{}, ErrBusy
	}
	if verr != nil && err == nil {
		a.o.logger.Warn("user has an unreadable password_hash", "user", u.ID, "err", verr)
	}
	if err != nil || verr != nil || !ok {
		return Session{}, errWrongLogin
	}
	if !u.Active {
		return Session{}, errUserOff
	}
	ms, err := a.st.UserMemberships(ctx, u.ID)
	if err != nil {
		return Session{}, fmt.Errorf("login: read memberships of user %s: %w", u.ID, err)
	}
	m, err := pickMembership(ms, tenantSlug)
	if err != nil {
		return Session{}, err
	}
	if !m.TenantActive {
		return Session{}, errTenantOff
	}
	now := a.o.now()
	exp := now.Add(a.o.tokenTTL)
	tok, err := signJWT(claims{Sub: u.ID, Tid: m.TenantID, Exp: exp.Unix(), Iat: now.Unix()}, a.o.jwtSecret)
	if err != nil {
		return Session{}, fmt.Errorf("login: sign session token: %w", err)
	}
	p := Principal{TenantID: m.TenantID, TenantSlug: m.TenantSlug, Role: ParseRole(string(m.Role)), UserID: u.ID}
	return Session{Token: tok, ExpiresAt: time.Unix(exp.Unix(), 0), Principal: p}, nil
}

func pickMembership(ms []Membership, slug string) (Membership, error) {
	if slug != "" {
		for _, m := range ms {
			if m.TenantSlug == slug {
				return m, nil
			}
		}
		return Membership{}, errNotMember
	}
	switch len(ms) {
	case 0:
		return Membership{}, errNotMember
	case 1:
		return ms[0], nil
	}
	return Membership{}, refuse("member of several tenants: name the tenant")
}

// dummyHash is verified against when the e-mail is unknown, so that case
// costs what a wrong password costs.
func (a *Authenticator) dummyHash() string {
	a.dummyOnce.Do(func() {
		h, err := HashSecret("ozmon-dummy-password", a.o.argon2)
		if err != nil {
			// Only a failing random source gets here; a fixed salt keeps
			// the timing equal.
			h = "$argon2id$v=19$m=19456,t=2,p=1$b3ptb24tZHVtbXktc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}
		a.dummy = h
	})
	return a.dummy
}

// authenticateSession checks a session token's signature and expiry on
// every request, and its membership (role, user and tenant active) once
// per cache TTL.
func (a *Authenticator) authenticateSession(ctx context.Context, tok string) (Principal, error) {
	if len(a.o.jwtSecret) == 0 {
		return Principal{}, errNoSessions
	}
	sum := sha256.Sum256([]byte(tok))
	now := a.o.now()
	if p, fresh, _ := a.sessions.get(sum, now); fresh {
		return p, nil
	}
	c, err := parseJWT(tok, a.o.jwtSecret)
	if err != nil {
		return Principal{}, errBadToken
	}
	exp := time.Unix(c.Exp, 0)
	if !now.Before(exp) {
		return Principal{}, errExpiredToken
	}
	m, err := a.st.Membership(ctx, c.Tid, c.Sub)
	if isNotFound(err) {
		return Principal{}, errNotMember
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate session of user %s: %w", c.Sub, err)
	}
	switch {
	case !m.UserActive:
		return Principal{}, errUserOff
	case !m.TenantActive:
		return Principal{}, errTenantOff
	}
	p := Principal{TenantID: m.TenantID, TenantSlug: m.TenantSlug, Role: ParseRole(string(m.Role)), UserID: m.UserID}
	// Cached no later than the token's expiry, so a cached hit never
	// outlives the token.
	a.sessions.put(sum, p, minTime(now.Add(a.o.cacheTTL), exp))
	return p, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
