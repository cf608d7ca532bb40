package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/worker"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"
)

// runRole runs the scheduler, the worker, or both, until SIGTERM.
func runRole(ctx context.Context, role string, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	cfg, err := cf.parseAndLoad(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	routeRedisLogs(log)
	a := &app{cfg: cfg, log: log, m: metrics.New()}
	defer a.Close()
	if a.rdb, err = openRedis(ctx, cfg.RedisURL); err != nil {
		return err
	}
	a.closers = append(a.closers, func() { a.rdb.Close() })
	st, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	a.st = st
	a.closers = append(a.closers, closeStore)
	if err := a.openNetworks(ctx); err != nil {
		return err
	}
	return a.run(ctx, role == "all" || role == "scheduler", role == "all" || role == "worker", nil)
}

// run starts the chosen roles plus the HTTP endpoints and blocks until ctx
// is done; then it shuts down gracefully (in-flight tasks finish or go
// back to the queue).
func (a *app) run(ctx context.Context, withScheduler, withWorker bool, channelOpts []notify.Option) error {
	g, gctx := errgroup.WithContext(ctx)
	ready := &readiness{a: a, started: time.Now()}
	if a.cfg.MetricsAddr != "" {
		ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		srv := &http.Server{Handler: a.httpHandler(ready), ReadHeaderTimeout: 5 * time.Second}
		a.log.Info("serving metrics and health", "addr", ln.Addr().String())
		g.Go(func() error {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	client := asynq.NewClientFromRedisClient(a.rdb)
	defer client.Close()
	if withScheduler {
		sopts := []scheduler.Option{scheduler.WithLogger(a.log), scheduler.WithMetrics(a.m)}
		if p, ok := a.st.(store.Progress); ok {
			sopts = append(sopts, scheduler.WithProgress(p, a.rdb))
		}
		s := scheduler.New(client, a.st, sopts...)
		for slug, src := range a.networks {
			n := a.netCfg[slug]
			limit, unlimited := n.PastBlocksLimit(time.Now())
			if unlimited {
				limit = 0
			}
			if err := s.AddNetwork(scheduler.Network{Slug: slug, CronSchedule: n.CronSchedule,
				ConfirmationBlocks: n.ConfirmationBlocks, MaxPastBlocks: limit, Tip: src, Recovery: recovery(n.RecoveryConfig)}); err != nil {
				return err
			}
			a.log.Info("scheduling network", "network", slug, "cron", n.CronSchedule, "confirmations", n.ConfirmationBlocks)
		}
		ready.scheduler = s
		// Queue gauges come from one role per deployment (the scheduler),
		// so N workers do not multiply the Redis reads of every scrape.
		insp := asynq.NewInspectorFromRedisClient(a.rdb)
		a.m.Registry.MustRegister(metrics.NewQueueCollector(insp, tasks.AllQueues()))
		g.Go(func() error { return s.Run(gctx) })
	}
	if withScheduler || withWorker {
		// The queue gauges, the tools and the worker's choice of idle
		// queues read asynq's queue registry, which Redis data loss empties
		// for good (asynq's clients never re-add a queue).
		g.Go(func() error { keepQueueRegistry(gctx, a.rdb, a.log, queueRegistryInterval); return nil })
	}
	if withWorker {
		slugs := make([]string, 0, len(a.networks))
		fetchers := map[string]handlers.BlockFetcher{}
		for slug, src := range a.networks {
			slugs = append(slugs, slug)
			fetchers[slug] = src
		}
		slices.Sort(slugs)
		opts, err := a.channelOptions(channelOpts)
		if err != nil {
			return err
		}
		ts := tenants.New(a.st, tenants.WithSpecs(a.specSource()), tenants.WithNetworks(slugs...), tenants.WithLogger(a.log),
			tenants.WithMetrics(a.m), tenants.WithABIs(newABISource()),
			tenants.WithTriggerCheck(func(ctx context.Context, t *monitor.Trigger) error {
				// Only a refused destination is a config problem; a name that
				// does not resolve today may resolve at send time.
				if err := notify.Check(ctx, t, opts...); errors.Is(err, notify.ErrRefused) {
					return err
				}
				return nil
			}))
		if err := ts.Reload(ctx); err != nil {
			return err
		}
		a.log.Info("tenants loaded", "tenants", ts.Len())
		g.Go(func() error { ts.Watch(gctx, a.st, a.cfg.Worker.TenantReloadInterval.D()); return nil })
		blocks, err := cache.New(a.rdb, cache.WithKeyPrefix(a.cfg.BlockCache.KeyPrefix), cache.WithBlockTTL(a.cfg.BlockCache.BlockTTL.D()),
			cache.WithLatestTTL(a.cfg.BlockCache.LatestBlockTTL.D()), cache.WithLRUSize(a.cfg.BlockCache.LRUSize), cache.WithMetrics(a.m))
		if err != nil {
			return err
		}
		strategy, err := handlers.ParseStrategy(a.cfg.LoadBalancer.Strategy)
		if err != nil {
			return err
		}
		var conds handlers.ConditionRunner
		if a.cfg.Notify.ScriptsEnabled && a.cfg.Notify.ScriptUID >= 0 {
			// Refused at start rather than at every script run.
			if err := notify.CanSwitchUser(); err != nil {
				return fmt.Errorf("notify.script_uid %d: %w; or set notify.script_uid and script_gid to -1 to run scripts as the worker's user (they can then read its environment)", a.cfg.Notify.ScriptUID, err)
			}
		}
		if a.cfg.Notify.ScriptsEnabled {
			conds = handlers.ScriptConditions{Options: opts}
		}
		var limiter *notify.RateLimiter
		if a.cfg.Notify.RatePerMinute > 0 {
			if limiter, err = notify.NewRateLimiter(a.rdb, notify.PerMinute(a.cfg.Notify.RatePerMinute, max(1, a.cfg.Notify.RateBurst))); err != nil {
				return err
			}
		}
		progress, _ := a.st.(store.Progress)
		perTenant, perDest := inFlightBounds(a.cfg)
		h, err := handlers.New(handlers.Config{
			Client: client, Cache: blocks, Fetchers: fetchers, Tenants: ts, Deliveries: a.st, Progress: progress,
			ChannelOptions: opts, Activity: handlers.NewActivity(a.rdb), Conditions: conds, ConditionBudget: a.cfg.Notify.ConditionBudget.D(), RateLimiter: limiter, DeliverRetention: a.cfg.Notify.Retention.D(), Redis: a.rdb,
			InDoubt: handlers.InDoubtPolicy(a.cfg.Notify.InDoubt), TenantInFlight: perTenant, DestinationInFlight: perDest,
			Strategy: strategy, MaxTenantsPerBatch: a.cfg.LoadBalancer.MaxTenantsPerBatch, Metrics: a.m, Log: a.log,
		})
		if err != nil {
			return err
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
			<-gctx.Done()
			// Returns once every handler has: run returns after g.Wait, and
			// only then does the caller close the store and Redis.
			srv.Shutdown()
			a.m.WorkerCount.Dec()
			return nil
		})
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (a *app) httpHandler(r *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(a.m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, req *http.Request) {
		if err := r.check(req.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// readiness answers /readyz: Redis answers, the store answers, and the
// worker's asynq server pings.
type readiness struct {
	a         *app
	started   time.Time
	scheduler *scheduler.Scheduler
	worker    *worker.Worker
}

func (r *readiness) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.a.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if _, err := r.a.st.Networks(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if r.worker != nil {
		if err := r.worker.Ping(); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
	}
	if r.scheduler != nil {
		// A scheduler that cannot tick (tip unreadable, cursor unwritable)
		// for three intervals is not ready; a freshly started one gets the
		// same grace.
		if time.Since(r.started) > 30*time.Second {
			if stale := r.scheduler.Stale(time.Now()); len(stale) > 0 {
				return fmt.Errorf("scheduler cursor not advancing for %v", stale)
			}
		}
	}
	return nil
}

// channelOptions are the notify options of this deployment: the SSRF
// guard with the operator's allow-list, secret and script policy.
func (a *app) channelOptions(extra []notify.Option) ([]notify.Option, error) {
	guard, err := notify.NewGuard(notify.Allow(a.cfg.Notify.AllowHosts...))
	if err != nil {
		return nil, fmt.Errorf("notify.allow_hosts: %w", err)
	}
	opts := append([]notify.Option{notify.WithGuard(guard), notify.WithTimeout(a.cfg.Notify.SendTimeout.D())}, extra...)
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

// recovery maps OpenZeppelin Monitor's recovery_config onto the
// scheduler's re-drive policy. Without one (or disabled), ledgers lost from
// Redis are still re-driven with the defaults; archived work is left in
// the dead-letter queue for an operator.
func recovery(rc *monitor.RecoveryConfig) scheduler.Recovery {
	if rc == nil || !rc.Enabled {
		return scheduler.Recovery{}
	}
	return scheduler.Recovery{
		CronSchedule:  rc.CronSchedule,
		MaxPerRun:     int(min(rc.MaxBlocksPerRun, 1<<20)),
		MaxRedrives:   int(rc.MaxRetries),
		RetryDelay:    time.Duration(min(rc.RetryDelayMs, 1<<40)) * time.Millisecond,
		MaxAge:        rc.MaxBlockAge,
		RetryArchived: true,
	}
}
