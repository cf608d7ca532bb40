package auth

import (
	"log/slog"
	"runtime"
	"time"
)

// Option configures an Authenticator.
type Option func(*options)

type options struct {
	jwtSecret     []byte
	operatorToken string
	cacheTTL      time.Duration
	negativeTTL   time.Duration
	tokenTTL      time.Duration
	cacheSize     int
	verifiers     int
	maxWaiting    int
	argon2        Argon2Params
	logger        *slog.Logger
	now           func() time.Time
}

func defaultOptions() options {
	n := max(1, runtime.GOMAXPROCS(0))
	return options{
		cacheTTL:    5 * time.Second,
		negativeTTL: 5 * time.Second,
		tokenTTL:    time.Hour,
		cacheSize:   10000,
		verifiers:   n,
		maxWaiting:  16 * n,
		argon2:      DefaultArgon2(),
		logger:      slog.New(slog.DiscardHandler),
		now:         time.Now,
	}
}

// WithJWTSecret sets the HS256 key of session tokens (api.jwt_secret).
// Without it Login and session tokens are refused.
func WithJWTSecret(secret string) Option {
	return func(o *options) { o.jwtSecret = []byte(secret) }
}

// WithOperatorToken sets the operator's credential (api.operator_token).
// Empty: no caller is the operator.
func WithOperatorToken(token string) Option {
	return func(o *options) { o.operatorToken = token }
}

// WithCacheTTL sets how long a verified key or session is trusted before
// its rows are read again (api.key_cache_ttl, default 5 s): the longest a
// revocation, a role change or a disabled tenant takes to bite.
func WithCacheTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.cacheTTL = d
		}
	}
}

// WithNegativeTTL sets how long a refused key is remembered as refused
// without touching the database (default 5 s).
func WithNegativeTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.negativeTTL = d
		}
	}
}

// WithTokenTTL sets how long a session token from Login is valid
// (api.token_ttl, default 1 h).
func WithTokenTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.tokenTTL = d
		}
	}
}

// WithCacheSize bounds each cache (verified keys, sessions, refused keys)
// to n entries (default 10,000).
func WithCacheSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.cacheSize = n
		}
	}
}

// WithMaxVerifications bounds the argon2 verifications running at once
// (default GOMAXPROCS) and those waiting for a slot (16 per slot); beyond
// that a check fails fast with ErrBusy.
func WithMaxVerifications(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.verifiers = n
			o.maxWaiting = 16 * n
		}
	}
}

// WithArgon2 sets the parameters of the dummy hash that unknown users are
// verified against (default DefaultArgon2); keep it equal to what
// passwords are hashed with, so both take the same time.
func WithArgon2(p Argon2Params) Option {
	return func(o *options) { o.argon2 = p }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithClock replaces time.Now, for tests of expiry.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}
