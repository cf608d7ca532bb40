package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ozmon/ozmon/store"
)

// maxTokenLen bounds a bearer credential; anything longer is malformed
// before it is hashed or parsed.
const maxTokenLen = 4096

// Authenticator turns a bearer credential into a Principal: an API key
// (smt_…), a user's session token (a JWT from Login) or the operator's
// token. It caches what it verified (see WithCacheTTL), so a key costs one
// argon2 hash when first seen and a map lookup after that.
type Authenticator struct {
	st    Store
	o     options
	opSum [32]byte

	keys     *boundedCache[[32]byte, keyEntry]
	sessions *boundedCache[[32]byte, Principal]
	refused  *boundedCache[[32]byte, error]
	touched  *boundedCache[string, struct{}]

	// sem holds one slot per argon2 verification running; waiting counts
	// those running or queued, capped at o.maxWaiting.
	sem     chan struct{}
	waiting atomic.Int64
	ran     atomic.Int64

	touches    sync.WaitGroup
	touchSlots chan struct{}

	dummyOnce sync.Once
	dummy     string
}

// keyEntry is a verified key: the principal it yields, the hash it was
// verified against (an unchanged hash needs no new argon2 on re-check)
// and its expiry.
type keyEntry struct {
	p       Principal
	hash    string
	expires time.Time
}

// New returns an Authenticator reading st.
func New(st Store, opts ...Option) *Authenticator {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	a := &Authenticator{
		st:         st,
		o:          o,
		keys:       newBoundedCache[[32]byte, keyEntry](o.cacheSize),
		sessions:   newBoundedCache[[32]byte, Principal](o.cacheSize),
		refused:    newBoundedCache[[32]byte, error](o.cacheSize),
		touched:    newBoundedCache[string, struct{}](o.cacheSize),
		sem:        make(chan struct{}, o.verifiers),
		touchSlots: make(chan struct{}, 4),
	}
	if o.operatorToken != "" {
		a.opSum = sha256.Sum256([]byte(o.operatorToken))
	}
	return a
}

// Authenticate returns the caller a bearer credential names (with or
// without its "Bearer " prefix). A refused credential gives an error
// wrapping ErrUnauthenticated whose text says why without repeating the
// credential; ErrBusy and database errors are not the caller's fault.
func (a *Authenticator) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	tok := strings.TrimSpace(bearer)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" || len(tok) > maxTokenLen {
		return Principal{}, errMalformed
	}
	if a.isOperator(tok) {
		return Principal{Operator: true}, nil
	}
	switch {
	case strings.HasPrefix(tok, keyPrefix):
		return a.authenticateKey(ctx, tok)
	case strings.Count(tok, ".") == 2:
		return a.authenticateSession(ctx, tok)
	}
	return Principal{}, errWrongOperator
}

// isOperator compares digests, so the comparison takes the same time
// whatever the lengths of the two tokens.
func (a *Authenticator) isOperator(tok string) bool {
	if a.o.operatorToken == "" {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], a.opSum[:]) == 1
}

// verify runs one argon2 verification inside the concurrency bound.
func (a *Authenticator) verify(ctx context.Context, hash, secret string) (bool, error) {
	if a.waiting.Add(1) > int64(a.o.maxWaiting) {
		a.waiting.Add(-1)
		return false, ErrBusy
	}
	defer a.waiting.Add(-1)
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.sem }()
	a.ran.Add(1)
	return verifySecret(hash, secret)
}

// Verifications returns how many argon2 verifications this Authenticator
// has run: a cached key runs none, an unknown e-mail runs one.
func (a *Authenticator) Verifications() int64 { return a.ran.Load() }

// Close waits for the last_used_at updates in flight.
func (a *Authenticator) Close() { a.touches.Wait() }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
