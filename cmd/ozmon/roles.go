package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/worker"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"
)

// runRole runs the scheduler, the worker, the API, or all of them, until
// SIGTERM.
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
	a := &app{cfg: cfg, log: log, m: metrics.New(metrics.WithTenantLabels(cfg.API.TenantMetrics))}
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
	if role != "api" { // the API reads the registry per request
		if err := a.openNetworks(ctx); err != nil {
			return err
		}
	}
	return a.run(ctx, role == "all" || role == "scheduler", role == "all" || role == "worker", role == "all" || role == "api")
}

// run starts the chosen roles (scheduler, worker, or both for "all")
// plus the HTTP endpoints and blocks until ctx is done; then it shuts down
// gracefully (in-flight tasks finish or go back to the queue).
func (a *app) run(ctx context.Context, withScheduler, withWorker, withAPI bool) error {
	g, gctx := errgroup.WithContext(ctx)
	ready := &readiness{a: a, started: time.Now()}
	if withAPI {
		srv, err := a.newAPIServer()
		switch {
		case errors.Is(err, errAPINeedsDatabase) && (withScheduler || withWorker):
			// all and dev on a config directory: the pipeline runs, the
			// API cannot.
			a.log.Warn("tenant API not started", "reason", err.Error())
			withAPI = false
		case err != nil:
			return err
		default:
			h, err := a.withConsole(srv)
			if err != nil {
				return err
			}
			a.apiHandler, a.apiShared = h, sameListener(a.cfg.API.Addr(), a.cfg.MetricsAddr)
		}
	}
	if err := a.serveHTTP(gctx, g, ready); err != nil {
		return err
	}
	if withAPI && !a.apiShared {
		if err := a.startAPI(gctx, g, a.apiHandler); err != nil {
			return err
		}
	}
	client := asynq.NewClientFromRedisClient(a.rdb)
	defer client.Close()
	if withScheduler {
		if err := a.startScheduler(gctx, g, client, ready); err != nil {
			return err
		}
	}
	if withScheduler || withWorker {
		// The queue gauges, the tools and the worker's choice of idle
		// queues read asynq's queue registry, which Redis data loss empties
		// for good (asynq's clients never re-add a queue).
		g.Go(func() error { keepQueueRegistry(gctx, a.rdb, a.log, queueRegistryInterval); return nil })
	}
	if withWorker {
		if err := a.startWorker(gctx, g, client, ready); err != nil {
			return err
		}
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// serveHTTP serves metrics and health on MetricsAddr (if set) in g until
// ctx ends.
func (a *app) serveHTTP(ctx context.Context, g *errgroup.Group, ready *readiness) error {
	if a.cfg.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	a.log.Info("serving metrics and health", "addr", ln.Addr().String())
	serveHTTP(ctx, g, ln, a.httpHandler(ready))
	return nil
}

func (a *app) httpHandler(r *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(a.m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if a.apiShared {
		mux.Handle("/graphql", a.apiHandler)
		mux.Handle("/console/", a.apiHandler)
	}
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
