package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenants"
	ozusage "github.com/ozmon/ozmon/usage" // main.go has a usage func
	"github.com/ozmon/ozmon/worker"
)

// startWorker runs the worker role in g until ctx ends: the tenants
// loaded and kept fresh, the handlers, and the worker's asynq servers,
// which stop (every handler returned) before g.Wait returns.
func (a *app) startWorker(ctx context.Context, g *errgroup.Group, client *asynq.Client, ready *readiness) error {
	opts, err := a.channelOptions()
	if err != nil {
		return err
	}
	ts, err := a.loadTenants(ctx, opts)
	if err != nil {
		return err
	}
	g.Go(func() error { ts.Watch(ctx, a.st, a.cfg.Worker.TenantReloadInterval.D()); return nil })
	meter := a.usageMeter()
	h, err := a.newHandlers(client, ts, opts, meter)
	if err != nil {
		return err
	}
	if meter != nil {
		g.Go(func() error { meter.Run(ctx); return nil })
	}
	srv, err := worker.New(a.rdb, worker.Config{Concurrency: a.cfg.Worker.Concurrency,
		NotifyConcurrency: a.cfg.Worker.NotifyConcurrency, Queues: a.cfg.Worker.Queues, ShutdownTimeout: a.cfg.Worker.ShutdownTimeout.D(),
		NotifyShutdownTimeout: notifyShutdownTimeout(a.cfg), Tiers: ts.Tiers, Logger: worker.AsynqLogger(a.log), Log: a.log})
	if err != nil {
		return err
	}
	if err := srv.Start(h.Mux()); err != nil {
		return err
	}
	a.m.WorkerCount.Inc()
	ready.worker = srv
	g.Go(func() error {
		<-ctx.Done()
		// Returns once every handler has: run returns after g.Wait, and
		// only then does the caller close the store and Redis.
		srv.Shutdown()
		if meter != nil {
			_ = meter.Shutdown() // the handlers have returned: their last counts are in it
		}
		a.m.WorkerCount.Dec()
		return nil
	})
	return nil
}

// loadTenants returns the worker's tenant registry for the networks it
// serves, loaded once; each trigger is vetted with the channel options.
func (a *app) loadTenants(ctx context.Context, opts []notify.Option) (*tenants.Registry, error) {
	slugs := make([]string, 0, len(a.networks))
	for slug := range a.networks {
		slugs = append(slugs, slug)
	}
	slices.Sort(slugs)
	topts := []tenants.Option{tenants.WithSpecs(a.specSource()), tenants.WithNetworks(slugs...), tenants.WithLogger(a.log),
		tenants.WithMetrics(a.m), tenants.WithABIs(newABISource()),
		tenants.WithTriggerCheck(func(ctx context.Context, t *ozconfig.Trigger) error {
			// Only a refused destination is a config problem; a name that
			// does not resolve today may resolve at send time.
			if err := notify.Check(ctx, t, opts...); errors.Is(err, notify.ErrRefused) {
				return err
			}
			return nil
		})}
	// The tenant API shows what the workers hit (PostgreSQL only).
	if ps, ok := a.st.(interface {
		ReplaceTenantProblems(context.Context, string, []error) error
	}); ok {
		topts = append(topts, tenants.WithProblemSink(func(ctx context.Context, id string, problems []error) {
			if err := ps.ReplaceTenantProblems(ctx, id, problems); err != nil {
				a.log.Warn("record tenant problems", "tenant", id, "err", err)
			}
		}))
	}
	ts := tenants.New(a.st, topts...)
	if err := ts.Reload(ctx); err != nil {
		return nil, err
	}
	a.log.Info("tenants loaded", "tenants", ts.Len())
	return ts, nil
}

// newHandlers wires the three task handlers from the configuration.
func (a *app) newHandlers(client *asynq.Client, ts *tenants.Registry, opts []notify.Option, meter *ozusage.Meter) (*handlers.Handlers, error) {
	fetchers := make(map[string]handlers.BlockFetcher, len(a.networks))
	for slug, src := range a.networks {
		fetchers[slug] = src
	}
	blocks, err := cache.New(a.rdb, cache.WithKeyPrefix(a.cfg.BlockCache.KeyPrefix), cache.WithBlockTTL(a.cfg.BlockCache.BlockTTL.D()),
		cache.WithLatestTTL(a.cfg.BlockCache.LatestBlockTTL.D()), cache.WithLRUSize(a.cfg.BlockCache.LRUSize), cache.WithMetrics(a.m))
	if err != nil {
		return nil, err
	}
	strategy, err := handlers.ParseStrategy(a.cfg.LoadBalancer.Strategy)
	if err != nil {
		return nil, err
	}
	var activity *handlers.Activity
	if strategy == handlers.ActivityBased {
		activity = handlers.NewActivity(a.rdb) // only activity_based batching reads it
	}
	var conds handlers.ConditionRunner
	if a.cfg.Notify.ScriptsEnabled && a.cfg.Notify.ScriptUID >= 0 {
		// Refused at start rather than at every script run.
		if err := notify.CanSwitchUser(); err != nil {
			return nil, fmt.Errorf("notify.script_uid %d: %w; or set notify.script_uid and script_gid to -1 to run scripts as the worker's user (they can then read its environment)", a.cfg.Notify.ScriptUID, err)
		}
	}
	if a.cfg.Notify.ScriptsEnabled {
		conds = handlers.ScriptConditions{Options: opts}
	}
	var limiter *notify.RateLimiter
	if a.cfg.Notify.RatePerMinute > 0 {
		if limiter, err = notify.NewRateLimiter(a.rdb, notify.PerMinute(a.cfg.Notify.RatePerMinute, max(1, a.cfg.Notify.RateBurst))); err != nil {
			return nil, err
		}
	}
	progress, _ := a.st.(store.Progress)
	perTenant, perDest := inFlightBounds(a.cfg)
	return handlers.New(handlers.Config{
		Client: client, Cache: blocks, Fetchers: fetchers, Tenants: ts, Deliveries: a.st, Progress: progress,
		ChannelOptions: opts, Activity: activity, Conditions: conds, ConditionBudget: a.cfg.Notify.ConditionBudget.D(), RateLimiter: limiter, DeliverRetention: a.cfg.Notify.Retention.D(), MaxPayloadBytes: a.cfg.Storage.MaxPayloadBytes, Redis: a.rdb,
		InDoubt: handlers.InDoubtPolicy(a.cfg.Notify.InDoubt), TenantInFlight: perTenant, DestinationInFlight: perDest,
		Strategy: strategy, MaxTenantsPerBatch: a.cfg.LoadBalancer.MaxTenantsPerBatch, Metrics: a.m, Log: a.log, Usage: meter,
		DefaultRegion: a.cfg.Regions.DefaultHome,
		Live:          live.NewPublisher(a.rdb, live.WithMaxLen(a.cfg.API.StreamMaxLen), live.WithMetrics(a.m), live.WithLogger(a.log)),
	})
}

// channelOptions are the notify options of this deployment: the SSRF
// guard with the operator's allow-list, secret and script policy.
func (a *app) channelOptions() ([]notify.Option, error) {
	guard, err := notify.NewGuard(notify.Allow(a.cfg.Notify.AllowHosts...))
	if err != nil {
		return nil, fmt.Errorf("notify.allow_hosts: %w", err)
	}
	opts := []notify.Option{notify.WithGuard(guard), notify.WithTimeout(a.cfg.Notify.SendTimeout.D())}
	if a.cfg.Notify.ResolveEnvSecrets {
		opts = append(opts, notify.WithLookupEnv(os.LookupEnv))
	}
	if a.cfg.Notify.ScriptsEnabled {
		opts = append(opts, notify.EnableScripts())
		if a.cfg.Notify.ScriptDir != "" {
			opts = append(opts, notify.ScriptDir(a.cfg.Notify.ScriptDir))
		}
		if a.cfg.Notify.ScriptUID >= 0 {
			opts = append(opts, notify.ScriptUser(uint32(a.cfg.Notify.ScriptUID), uint32(a.cfg.Notify.ScriptGID)))
		}
	}
	return opts, nil
}

// inFlightBounds are the per-tenant and per-destination bounds on a
// worker's deliveries in flight: notify.tenant_concurrency and
// notify.destination_concurrency, or a tenth and a half of the notify pool.
func inFlightBounds(cfg config.Config) (perTenant, perDest int) {
	pool := cfg.Worker.NotifyConcurrency
	perTenant, perDest = cfg.Notify.TenantConcurrency, cfg.Notify.DestinationConcurrency
	if perTenant == 0 {
		perTenant = max(1, pool/10)
	}
	if perDest == 0 {
		perDest = max(1, pool/2)
	}
	return perTenant, perDest
}

// usageMeter meters per-tenant usage into PostgreSQL (nil without a
// database: nothing to bill against). Each worker flushes its own counts
// every 10 s and once more at shutdown.
func (a *app) usageMeter() *ozusage.Meter {
	pg, ok := a.st.(*postgres.Store)
	if !ok {
		return nil
	}
	return ozusage.New(pg, ozusage.WithLogger(a.log))
}
