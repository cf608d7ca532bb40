package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/hibiken/asynq"
)

// Server is the tenant API as an http.Handler: /graphql (POST, GET for
// queries, WebSocket for subscriptions) and /healthz.
type Server struct {
	o       options
	gql     *handler.Server
	mux     *http.ServeMux
	limiter *rateLimiter

	// Tenants' rate limits, read from their rows and kept briefly so a
	// request costs no database read.
	limitsMu sync.Mutex
	limits   map[string]cachedLimit
}

type cachedLimit struct {
	perMinute int
	until     time.Time
}

// New builds the API server. WithStore, WithWriter, WithAuthenticator,
// WithRedis and WithLive are required.
func New(opts ...Option) (*Server, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.store == nil:
		return nil, errors.New("api: new server: no store (WithStore)")
	case o.writer == nil:
		return nil, errors.New("api: new server: no config writer (WithWriter)")
	case o.live == nil:
		return nil, errors.New("api: new server: no live event source (WithLive)")
	case o.authn == nil:
		return nil, errors.New("api: new server: no authenticator (WithAuthenticator)")
	case o.rdb == nil:
		return nil, errors.New("api: new server: no redis (WithRedis)")
	case o.bodyLimit <= 0 || o.complexityLimit <= 0 || o.depthLimit <= 0 || o.maxMutations <= 0:
		return nil, errors.New("api: new server: body, complexity, depth and mutation limits must be > 0")
	}
	if o.insp == nil {
		o.insp = asynq.NewInspectorFromRedisClient(o.rdb)
	}
	s := &Server{o: o, limits: map[string]cachedLimit{}, limiter: newRateLimiter(o.rdb, o.ratePrefix)}
	cfg := Config{Resolvers: &resolver{o: &s.o}}
	setComplexity(&cfg.Complexity)
	gql := handler.New(NewExecutableSchema(cfg))
	gql.AddTransport(&wsTransport{admit: s.admitWS, log: o.log, readLimit: wsReadLimit,
		initTimeout: o.wsInitTimeout, pingInterval: o.wsKeepAlive, writeTimeout: wsWriteTimeout})
	// The older graphql-ws protocol, for clients that do not offer
	// graphql-transport-ws.
	readLimit := int64(wsReadLimit)
	gql.AddTransport(transport.Websocket{
		// guard has checked the Origin before the upgrade.
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}},
		InitFunc:              s.wsInit,
		KeepAlivePingInterval: o.wsKeepAlive,
		PayloadReadLimit:      &readLimit,
	})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(newQueryCache(1000))
	if o.introspection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(&limits{depth: o.depthLimit, complexity: o.complexityLimit, mutations: o.maxMutations})
	gql.AroundOperations(s.aroundOperations)
	gql.SetErrorPresenter(presentError(o.log))
	gql.SetRecoverFunc(recoverPanic(o.log))
	s.gql = gql
	s.mux = http.NewServeMux()
	s.mux.Handle("/graphql", s.guard(gql))
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	return s, nil
}

// The WebSocket transports' limits: the largest message a client may
// send (gqlgen's default), how long a connection may wait before
// connection_init, how often it is pinged, and how long one frame's write
// may take.
const (
	wsReadLimit    = 1 << 20
	wsInitTimeout  = 15 * time.Second
	wsKeepAlive    = 15 * time.Second
	wsWriteTimeout = 30 * time.Second
)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// originAllowed admits requests without Origin (not a browser), from the
// API's own host, and from api.allowed_origins.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || slices.Contains(s.o.origins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}
