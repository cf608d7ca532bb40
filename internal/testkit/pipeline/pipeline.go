package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/usage"
	"github.com/ozmon/ozmon/worker"
)

// Config is what a Pipeline runs against. Store, Redis, Sim and Network
// are required.
type Config struct {
	// Store holds the tenants, the scheduler's cursors and progress and the
	// delivery log: the deployment's PostgreSQL schema.
	Store *postgres.Store
	// Redis is the deployment's Redis (the test's own database): the
	// worker and the scheduler each open their own clients on its address
	// and database, as separate processes would.
	Redis *redis.Options
	// Sim serves Network's ledgers; the worker fetches and the scheduler
	// reads the tip from it directly (the operator's registry entry for
	// the network, which dry runs read, is the caller's business).
	Sim     *ozmontest.StellarSim
	Network string
	// Cursor is the last ledger counted as done: the scheduler enqueues
	// from Cursor+1 on. 0 means the simulator's tip at Start, so only
	// ledgers that appear later are evaluated.
	Cursor uint64
	// LivePrefix, when set, makes the worker publish matches and delivery
	// outcomes to the live streams under this key prefix (the API hub's
	// live.WithKeyPrefix).
	LivePrefix string
	// Guard is the workers' destination guard; nil allows 127.0.0.1 only,
	// where the tests' sinks listen.
	Guard *notify.Guard
	// Log receives the worker's and the scheduler's messages; nil
	// discards them.
	Log *slog.Logger
}

// Pipeline is one worker and one scheduler running until the test ends
// (or Stop).
type Pipeline struct {
	cfg Config
	// Tenants is the worker's registry: tests wait on it for a change
	// made through the API to reach the worker (LISTEN/NOTIFY).
	Tenants *tenants.Registry
	// Meter is the worker's usage meter; Flush writes what it counted.
	Meter *usage.Meter
	// Source is the Stellar client the worker fetches and the scheduler
	// reads the tip with.
	Source *stellar.Source

	mu    sync.Mutex
	stops []func()
}

// Start sets the network's cursor and starts the worker, then the
// scheduler; both stop when the test ends. It fails tb when a part cannot
// start.
func Start(tb testing.TB, cfg Config) *Pipeline {
	tb.Helper()
	if cfg.Store == nil || cfg.Redis == nil || cfg.Sim == nil || cfg.Network == "" {
		tb.Fatalf("pipeline: Store, Redis, Sim and Network are required (network %q)", cfg.Network)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Guard == nil {
		g, err := notify.NewGuard(notify.Allow("127.0.0.1/32"))
		if err != nil {
			tb.Fatalf("pipeline: guard: %v", err)
		}
		cfg.Guard = g
	}
	ctx := context.Background()
	cursor := cfg.Cursor
	if cursor == 0 {
		cursor = uint64(cfg.Sim.Tip())
	}
	if err := cfg.Store.AdvanceCursor(ctx, cfg.Network, cursor); err != nil {
		tb.Fatalf("pipeline: set the cursor of %s to %d: %v", cfg.Network, cursor, err)
	}
	client, err := stellar.NewClient([]chain.Endpoint{{URL: cfg.Sim.URL(), Weight: 100}})
	if err != nil {
		tb.Fatalf("pipeline: stellar client for %s: %v", cfg.Network, err)
	}
	tb.Cleanup(func() { client.Close() })
	p := &Pipeline{cfg: cfg, Source: &stellar.Source{Client: client, Network: cfg.Network, Passphrase: cfg.Sim.Passphrase()}}
	p.Meter = usage.New(cfg.Store, usage.WithInterval(time.Hour), usage.WithLogger(cfg.Log))
	tb.Cleanup(p.Stop)
	p.startWorker(tb)
	p.startScheduler(tb)
	return p
}

// Stop stops the scheduler, then the worker (waiting for its tasks in
// flight). It is idempotent; the test's end calls it.
func (p *Pipeline) Stop() {
	p.mu.Lock()
	stops := p.stops
	p.stops = nil
	p.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
}

func (p *Pipeline) addStop(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stops = append(p.stops, f)
}

// redisClient is a new client on the configured server and database. The
// options are copied field by field: go-redis keeps per-client state in
// an Options it has initialised, and a second client on the same value
// complains.
func (p *Pipeline) redisClient() *redis.Client {
	o := p.cfg.Redis
	return redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig})
}

// Loaded reports whether the worker has monitor of tenantID compiled.
func (p *Pipeline) Loaded(tenantID, monitor string) bool {
	t, ok := p.Tenants.Get(tenantID)
	return ok && t.Config != nil && t.Config.Monitors[monitor] != nil
}

// AdvanceTo makes the simulator's ledgers appear one by one up to seq, as
// a chain would.
func (p *Pipeline) AdvanceTo(tb testing.TB, seq uint32) {
	tb.Helper()
	for p.cfg.Sim.Tip() < seq {
		if _, err := p.cfg.Sim.Advance(1); err != nil {
			tb.Fatalf("pipeline: advance %s to %d: %v", p.cfg.Network, seq, err)
		}
	}
}

// startWorker starts one worker as `ozmon worker` wires it: tenants
// reloaded on LISTEN/NOTIFY, the destination guard, the live publisher
// when configured and the usage meter.
func (p *Pipeline) startWorker(tb testing.TB) {
	tb.Helper()
	cfg := p.cfg
	ctx, cancel := context.WithCancel(context.Background())
	rdb := p.redisClient()
	m := metrics.New()
	specs := func(_, _ string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			return stellar.ParseSpecJSON(inline)
		}
		return nil, nil
	}
	p.Tenants = tenants.New(cfg.Store, tenants.WithSpecs(specs), tenants.WithNetworks(cfg.Network), tenants.WithLogger(cfg.Log), tenants.WithMetrics(m))
	fail := func(what string, err error) {
		cancel()
		_ = rdb.Close()
		tb.Fatalf("pipeline: worker: %s: %v", what, err)
	}
	if err := p.Tenants.Reload(ctx); err != nil {
		fail("load tenants", err)
	}
	blocks, err := cache.New(rdb, cache.WithMetrics(m))
	if err != nil {
		fail("block cache", err)
	}
	var pub *live.Publisher
	if cfg.LivePrefix != "" {
		pub = live.NewPublisher(rdb, live.WithKeyPrefix(cfg.LivePrefix), live.WithMetrics(m))
	}
	client := asynq.NewClientFromRedisClient(rdb)
	h, err := handlers.New(handlers.Config{
		Client: client, Cache: blocks, Fetchers: map[string]handlers.BlockFetcher{cfg.Network: p.Source}, Tenants: p.Tenants, Redis: rdb,
		Progress: cfg.Store, Deliveries: cfg.Store, ChannelOptions: []notify.Option{notify.WithGuard(cfg.Guard)}, MaxTenantsPerBatch: 50,
		Metrics: m, Log: cfg.Log, Usage: p.Meter, Live: pub,
	})
	if err != nil {
		fail("handlers", err)
	}
	srv, err := worker.New(rdb, worker.Config{Concurrency: 5, ShutdownTimeout: 5 * time.Second, Tiers: p.Tenants.Tiers,
		Logger: worker.AsynqLogger(cfg.Log), Log: cfg.Log})
	if err != nil {
		fail("new", err)
	}
	if err := srv.Start(h.Mux()); err != nil {
		fail("start", err)
	}
	watched := make(chan struct{})
	go func() { defer close(watched); p.Tenants.Watch(ctx, cfg.Store, time.Minute) }()
	p.addStop(func() {
		cancel()
		srv.Shutdown()
		<-watched
		_ = client.Close()
		_ = rdb.Close()
	})
}

// startScheduler runs one scheduler on the fastest cron it takes, once a
// second.
func (p *Pipeline) startScheduler(tb testing.TB) {
	tb.Helper()
	cfg := p.cfg
	rdb := p.redisClient()
	client := asynq.NewClientFromRedisClient(rdb)
	s := scheduler.New(client, cfg.Store, scheduler.WithLogger(cfg.Log), scheduler.WithProgress(cfg.Store, rdb))
	if err := s.AddNetwork(scheduler.Network{Slug: cfg.Network, CronSchedule: "@every 1s", Tip: p.Source}); err != nil {
		_ = client.Close()
		_ = rdb.Close()
		tb.Fatalf("pipeline: scheduler: add network %s: %v", cfg.Network, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; _ = client.Close(); _ = rdb.Close() })
}
