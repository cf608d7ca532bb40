package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/api"
	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/store"
)

// newAPIServer builds the tenant API on the app's store and Redis.
func (a *app) newAPIServer() (*api.Server, error) {
	c := a.cfg.API
	blocks, err := cache.New(a.rdb, cache.WithKeyPrefix(a.cfg.BlockCache.KeyPrefix))
	if err != nil {
		return nil, fmt.Errorf("api: block cache: %w", err)
	}
	return api.New(api.WithStore(apiStore{a.st}), api.WithRedis(a.rdb), api.WithLogger(a.log),
		api.WithAuthenticator(operatorOnly{token: c.OperatorToken.Value()}), api.WithBlockCache(blocks),
		api.WithAllowedOrigins(c.AllowedOrigins...), api.WithBodyLimit(c.BodyLimit),
		api.WithComplexityLimit(c.ComplexityLimit), api.WithDepthLimit(c.DepthLimit), api.WithIntrospection(c.Introspection))
}

// startAPI serves the API on api.host:api.port in g until ctx ends.
func (a *app) startAPI(ctx context.Context, g *errgroup.Group, h http.Handler) error {
	ln, err := net.Listen("tcp", a.cfg.API.Addr())
	if err != nil {
		return fmt.Errorf("api listener: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	a.log.Info("serving the tenant API", "addr", ln.Addr().String())
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
	return nil
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

// apiStore gives the API the tenant lookup by id on stores that only
// list tenants (a config directory).
type apiStore struct{ store.Store }

func (s apiStore) Tenant(ctx context.Context, id string) (store.Tenant, error) {
	if t, ok := s.Store.(interface {
		Tenant(context.Context, string) (store.Tenant, error)
	}); ok {
		return t.Tenant(ctx, id)
	}
	list, err := s.Tenants(ctx)
	if err != nil {
		return store.Tenant{}, err
	}
	for _, t := range list {
		if t.ID == id {
			return t, nil
		}
	}
	return store.Tenant{}, fmt.Errorf("tenant %s: %w", id, store.ErrNotFound)
}

// operatorOnly accepts the operator's token (api.operator_token) until
// the auth package's authenticator (API keys, sessions) is wired in.
type operatorOnly struct{ token string }

func (o operatorOnly) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	if o.token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(o.token)) == 1 {
		return auth.Principal{Operator: true}, nil
	}
	return auth.Principal{}, errors.New("unknown credential")
}
