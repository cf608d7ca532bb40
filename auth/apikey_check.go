package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// authenticateKey checks an smt_ key. A key verified within the cache TTL
// costs a hash of the token and a map lookup. After that its row is read
// again (revocation, expiry, tenant, role); argon2 runs again only if
// key_hash changed. Unknown and wrong keys are remembered as refused for
// the negative TTL, and every argon2 run waits for a slot (verify).
func (a *Authenticator) authenticateKey(ctx context.Context, raw string) (Principal, error) {
	id, ok := parseKey(raw)
	if !ok {
		return Principal{}, errMalformed
	}
	sum := sha256.Sum256([]byte(raw))
	now := a.o.now()
	e, fresh, found := a.keys.get(sum, now)
	if found && fresh {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			a.keys.del(sum)
			return Principal{}, errExpiredKey
		}
		a.touch(id, now)
		return e.p, nil
	}
	if err, fresh, _ := a.refused.get(sum, now); fresh {
		return Principal{}, err
	}
	rec, err := a.st.APIKeyByID(ctx, id)
	if isNotFound(err) {
		a.refuseKey(sum, errUnknownKey, now)
		return Principal{}, errUnknownKey
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate API key %s: %w", id, err)
	}
	// The row's state is checked before its hash: a revoked or expired
	// key costs no argon2 (its id alone is not a credential).
	var refusal error
	switch {
	case !rec.Active:
		refusal = errRevokedKey
	case rec.Expired(now):
		refusal = errExpiredKey
	case !rec.TenantActive:
		refusal = errTenantOff
	}
	if refusal != nil {
		a.keys.del(sum)
		a.refuseKey(sum, refusal, now)
		return Principal{}, refusal
	}
	if !found || e.hash != rec.Hash {
		ok, err := a.verify(ctx, rec.Hash, raw)
		switch {
		case errors.Is(err, ErrBusy) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return Principal{}, err
		case err != nil:
			a.o.logger.Warn("API key has an unreadable key_hash", "key", id, "tenant", rec.TenantID, "err", err)
			a.refuseKey(sum, errUnknownKey, now)
			return Principal{}, errUnknownKey
		case !ok:
			a.keys.del(sum)
			a.refuseKey(sum, errUnknownKey, now)
			return Principal{}, errUnknownKey
		}
	}
	p := Principal{TenantID: rec.TenantID, TenantSlug: rec.TenantSlug, Role: rec.Role, KeyID: rec.ID}
	if p.Role == RoleOwner || !p.Role.CanRead() {
		p.Role = RoleViewer // a key is never owner, whatever the row says
	}
	a.keys.put(sum, keyEntry{p: p, hash: rec.Hash, expires: rec.ExpiresAt}, now.Add(a.o.cacheTTL))
	a.touch(id, now)
	return p, nil
}

func (a *Authenticator) refuseKey(sum [32]byte, err error, now time.Time) {
	a.refused.put(sum, err, now.Add(a.o.negativeTTL))
}

// touch records the key's use at most once a minute per key and process,
// off the request path; the store also skips a write less than a minute
// after the last one, so many processes write about once a minute too.
// When four writes are already in flight the use is not recorded.
func (a *Authenticator) touch(keyID string, now time.Time) {
	if _, fresh, _ := a.touched.get(keyID, now); fresh {
		return
	}
	select {
	case a.touchSlots <- struct{}{}:
	default:
		return
	}
	a.touched.put(keyID, struct{}{}, now.Add(time.Minute))
	a.touches.Add(1)
	go func() {
		defer a.touches.Done()
		defer func() { <-a.touchSlots }()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.st.TouchAPIKey(ctx, keyID, now); err != nil {
			a.o.logger.Warn("record API key use", "key", keyID, "err", err)
		}
	}()
}
