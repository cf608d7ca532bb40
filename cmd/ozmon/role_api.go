package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/api"
	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenantconfig"
)

// errAPINeedsDatabase refuses the API without PostgreSQL: its keys,
// users, audit log and configuration writes live there.
var errAPINeedsDatabase = errors.New("the tenant API needs PostgreSQL (database_url): API keys, users, the audit log and " +
	"configuration writes live there; with a config directory only, run the scheduler and worker (or ozmon dev --api-addr '')")

// newAPIServer builds the tenant API on the app's PostgreSQL store and
// Redis: the authenticator (keys, sessions, the operator), the config
// writer with the validation of `ozmon validate`, and a live hub for the
// subscriptions. Both are closed with the app.
func (a *app) newAPIServer() (*api.Server, error) {
	c := a.cfg.API
	pg, ok := a.st.(*postgres.Store)
	if !ok {
		return nil, errAPINeedsDatabase
	}
	blocks, err := cache.New(a.rdb, cache.WithKeyPrefix(a.cfg.BlockCache.KeyPrefix))
	if err != nil {
		return nil, fmt.Errorf("api: block cache: %w", err)
	}
	topts, err := tenantOptions(a.cfg)
	if err != nil {
		return nil, fmt.Errorf("api: config writer: %w", err)
	}
	writer := tenantconfig.New(pg, append(topts, tenantconfig.WithLogger(a.log))...)
	authn := auth.New(pg, auth.WithJWTSecret(c.JWTSecret.Value()), auth.WithOperatorToken(c.OperatorToken.Value()),
		auth.WithCacheTTL(c.KeyCacheTTL.D()), auth.WithTokenTTL(c.TokenTTL.D()), auth.WithLogger(a.log))
	hub := live.NewHub(a.rdb, live.WithBuffer(c.SubscriberBuffer), live.WithMetrics(a.m), live.WithLogger(a.log))
	a.closers = append(a.closers, authn.Close, hub.Close)
	return api.New(api.WithStore(pg), api.WithWriter(writer), api.WithRedis(a.rdb), api.WithLogger(a.log),
		api.WithAuthenticator(authn), api.WithLive(api.NewHubLive(hub)), api.WithBlockCache(blocks),
		api.WithAllowedOrigins(c.AllowedOrigins...), api.WithBodyLimit(c.BodyLimit),
		api.WithComplexityLimit(c.ComplexityLimit), api.WithDepthLimit(c.DepthLimit), api.WithIntrospection(c.Introspection))
}

// startAPI serves the API on api.host:api.port in g until ctx ends.
func (a *app) startAPI(ctx context.Context, g *errgroup.Group, h http.Handler) error {
	ln, err := net.Listen("tcp", a.cfg.API.Addr())
	if err != nil {
		return fmt.Errorf("api listener: %w", err)
	}
	a.log.Info("serving the tenant API", "addr", ln.Addr().String())
	serveHTTP(ctx, g, ln, h)
	return nil
}

// serveHTTP serves h on ln in g until ctx ends, then shuts the server down
// within 5 s.
func serveHTTP(ctx context.Context, g *errgroup.Group, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
}

// sameListener reports whether the API's address is metrics_addr, so the
// API is mounted on that listener instead of a second one.
func sameListener(apiAddr, metricsAddr string) bool {
	ah, ap, err1 := net.SplitHostPort(apiAddr)
	mh, mp, err2 := net.SplitHostPort(metricsAddr)
	if err1 != nil || err2 != nil || ap != mp {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ah == mh || (wildcard(ah) && wildcard(mh))
}
