package console

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// Option configures a Console.
type Option func(*options)

type options struct {
	api        http.Handler
	rdb        redis.UniversalClient
	log        *slog.Logger
	prefix     string
	keyPrefix  string
	sessionTTL time.Duration
	now        func() time.Time
}

func defaultOptions() options {
	return options{
		log:        slog.Default(),
		prefix:     "/console",
		keyPrefix:  "ozmon:console:session:",
		sessionTTL: 12 * time.Hour,
		now:        time.Now,
	}
}

// WithAPI sets the tenant API handler every page executes its GraphQL
// against (required): the handler serving /graphql.
func WithAPI(h http.Handler) Option { return func(o *options) { o.api = h } }

// WithRedis sets the Redis holding the sessions (required).
func WithRedis(rdb redis.UniversalClient) Option { return func(o *options) { o.rdb = rdb } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithSessionKeyPrefix sets the Redis key prefix of sessions (tests give
// each their own).
func WithSessionKeyPrefix(p string) Option { return func(o *options) { o.keyPrefix = p } }

// WithSessionTTL bounds a session signed in with an API key (default 12h);
// a user's session ends with its token anyway.
func WithSessionTTL(d time.Duration) Option { return func(o *options) { o.sessionTTL = d } }
