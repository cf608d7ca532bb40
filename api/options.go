package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/cache"
)

// Authenticator turns a bearer credential into the caller. An unknown,
// expired or revoked credential is an error (any error: the caller only
// learns UNAUTHENTICATED).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
}

// Option configures a Server.
type Option func(*options)

type options struct {
	store           Store
	writer          ConfigWriter
	authn           Authenticator
	rdb             redis.UniversalClient
	insp            *asynq.Inspector
	blocks          *cache.Blocks
	live            Live
	log             *slog.Logger
	origins         []string
	bodyLimit       int64
	complexityLimit int
	maxMutations    int
	depthLimit      int
	introspection   bool
	ratePrefix      string
	argon2          auth.Argon2Params
	wsInitTimeout   time.Duration
	wsKeepAlive     time.Duration
}

func defaultOptions() options {
	return options{log: slog.Default(), bodyLimit: 1 << 20, complexityLimit: 1000, maxMutations: 10, depthLimit: 12, ratePrefix: "ozmon:api:rate:", argon2: auth.DefaultArgon2(),
		wsInitTimeout: wsInitTimeout, wsKeepAlive: wsKeepAlive}
}

// WithStore sets what the resolvers read and write (required).
func WithStore(s Store) Option { return func(o *options) { o.store = s } }

// WithWriter sets the write path of tenants' configurations and its reads
// (required): a *tenantconfig.Writer built with the options `ozmon
// validate` uses.
func WithWriter(w ConfigWriter) Option { return func(o *options) { o.writer = w } }

// WithAuthenticator sets who checks credentials (required). When it also
// implements Loginer, the login mutation uses it; else login is refused.
func WithAuthenticator(a Authenticator) Option { return func(o *options) { o.authn = a } }

// WithRedis sets the Redis the per-tenant rate limit and retryDeliveries
// use (required).
func WithRedis(rdb redis.UniversalClient) Option { return func(o *options) { o.rdb = rdb } }

// WithBlockCache lets testMonitor read ledgers from the block cache before
// the network's RPC.
func WithBlockCache(c *cache.Blocks) Option { return func(o *options) { o.blocks = c } }

// WithLive sets the source of the subscriptions (required): a live.Hub
// through NewHubLive.
func WithLive(l Live) Option { return func(o *options) { o.live = l } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithAllowedOrigins sets the browser origins that may call the API and
// open subscriptions; a request without Origin (not a browser) is always
// allowed.
func WithAllowedOrigins(origins ...string) Option {
	return func(o *options) { o.origins = append([]string(nil), origins...) }
}

// WithBodyLimit bounds a request body, in bytes (api.body_limit).
func WithBodyLimit(n int64) Option { return func(o *options) { o.bodyLimit = n } }

// WithComplexityLimit bounds a query's cost (api.complexity_limit).
func WithComplexityLimit(n int) Option { return func(o *options) { o.complexityLimit = n } }

// WithDepthLimit bounds a query's nesting (api.depth_limit).
func WithDepthLimit(n int) Option { return func(o *options) { o.depthLimit = n } }

// WithIntrospection serves the schema to introspection queries.
func WithIntrospection(on bool) Option { return func(o *options) { o.introspection = on } }

// WithRateKeyPrefix sets the Redis key prefix of the per-tenant rate
// limit (tests give each their own).
func WithRateKeyPrefix(p string) Option { return func(o *options) { o.ratePrefix = p } }

// WithKeyHashing sets the argon2id parameters createApiKey hashes new keys
// with (default auth.DefaultArgon2, as `ozmon admin keys create`).
func WithKeyHashing(p auth.Argon2Params) Option { return func(o *options) { o.argon2 = p } }

// WithMaxMutations caps the mutation fields of one operation (default
// 10): each is a write, and each counts against the tenant's rate limit.
func WithMaxMutations(n int) Option { return func(o *options) { o.maxMutations = n } }

// withWebSocketTimings sets how long a WebSocket may wait before
// connection_init and how often it is pinged (tests shorten them).
func withWebSocketTimings(initTimeout, keepAlive time.Duration) Option {
	return func(o *options) { o.wsInitTimeout, o.wsKeepAlive = initTimeout, keepAlive }
}
