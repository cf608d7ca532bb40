package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenantconfig"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/worker"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"
)

const (
	mainnet     = "stellar_mainnet"
	firstLedger = 63092982
	lastLedger  = 63093001
)

// mainnetLedgers decodes the 20 consecutive real mainnet ledgers.
func mainnetLedgers(t testing.TB) (dir string, blocks []*chain.Block) {
	t.Helper()
	dir = testkit.SharedPath(t, "testdata", "stellar", "mainnet")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := stellar.ReadLedgerFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		b, err := stellar.DecodeLedgerXDR(mainnet, network.PublicNetworkPassphrase, data)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if b.Ledger >= firstLedger && b.Ledger <= lastLedger {
			blocks = append(blocks, b)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Ledger < blocks[j].Ledger })
	if len(blocks) != 20 {
		t.Fatalf("found %d of the 20 consecutive mainnet ledgers", len(blocks))
	}
	return dir, blocks
}

// eventTarget is a (contract, event signature) pair seen in the ledgers,
// with the transactions that emitted it — computed here from the raw block
// model, independently of the monitor engine.
type eventTarget struct {
	contract, signature string
	txs                 map[string]uint64 // tx hash → ledger
}

// rareTargets returns targets emitted by 1..maxTx transactions, so 200
// tenants produce a few hundred notifications, not tens of thousands.
func rareTargets(blocks []*chain.Block, maxTx int) []eventTarget {
	byKey := map[[2]string]*eventTarget{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			for _, ev := range tx.Events {
				if ev.OpIndex < 0 {
					continue // transaction-level fee events
				}
				sig, ok := testkit.EventSignature(ev)
				if !ok || strings.Contains(sig, "Bytes") {
					continue // non-empty bytes have no comparable kind (docs/compatibility.md#stellar-comparisons)
				}
				k := [2]string{ev.Contract, sig}
				if byKey[k] == nil {
					byKey[k] = &eventTarget{contract: ev.Contract, signature: sig, txs: map[string]uint64{}}
				}
				byKey[k].txs[tx.Hash] = b.Ledger
			}
		}
	}
	var out []eventTarget
	for _, t := range byKey {
		if len(t.txs) <= maxTx {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].contract+out[i].signature < out[j].contract+out[j].signature
	})
	return out
}

// tenantConfig is one tenant watching one event target through a webhook.
func tenantConfig(t testing.TB, name string, tg eventTarget, expression, sinkURL string) (*ozconfig.Config, store.RawConfig) {
	t.Helper()
	netJSON := fmt.Sprintf(`{"network_type":"Stellar","slug":%q,"name":"Stellar Mainnet","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"http://127.0.0.1:1"},"weight":100}],
		"network_passphrase":%q,"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":50,"store_blocks":false}`, mainnet, network.PublicNetworkPassphrase)
	cond := map[string]any{"signature": tg.signature}
	if expression != "" {
		cond["expression"] = expression
	}
	mon, _ := json.Marshal(map[string]any{
		"name": name, "paused": false, "networks": []string{mainnet},
		"addresses":          []any{map[string]any{"address": tg.contract}},
		"match_conditions":   map[string]any{"functions": []any{}, "events": []any{cond}, "transactions": []any{}},
		"trigger_conditions": []any{}, "triggers": []string{"hook"},
	})
	trig := fmt.Sprintf(`{"name":"hook","trigger_type":"webhook","config":{"url":{"type":"plain","value":%q},"method":"POST",
		"secret":{"type":"plain","value":"s3cret"},"headers":{"Content-Type":"application/json"},
		"message":{"title":"${monitor.name}","body":"${transaction.hash}"}}}`, sinkURL)
	n, err := ozconfig.ParseNetwork("network", []byte(netJSON))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ozconfig.ParseMonitor("monitor", mon)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ozconfig.ParseTrigger("trigger", []byte(trig))
	if err != nil {
		t.Fatal(err)
	}
	tr.Key = "hook"
	cfg := &ozconfig.Config{Networks: map[string]*ozconfig.Network{mainnet: n}, Monitors: map[string]*ozconfig.Monitor{name: m}, Triggers: map[string]*ozconfig.Trigger{"hook": tr}}
	if err := cfg.Validate(name); err != nil {
		t.Fatal(err)
	}
	raw := store.RawConfig{Networks: map[string]json.RawMessage{mainnet: json.RawMessage(netJSON)}, Monitors: map[string]json.RawMessage{name: mon}, Triggers: map[string]json.RawMessage{"hook": json.RawMessage(trig)}}
	return cfg, raw
}

// pipeline is a running deployment: simulator, stores, workers, schedulers.
type pipeline struct {
	t       testing.TB
	sim     *ozmontest.StellarSim
	sink    *ozmontest.WebhookSink
	st      *postgres.Store
	rdbOpts *redis.Options
	src     *stellar.Source
	limit   notify.Limit      // per-tenant notification rate; zero: none
	evm     *evmNet           // a second, EVM network served beside mainnet
	batch   int               // max tenants per evaluate-tenants task
	records store.DeliveryLog // the workers' delivery log; nil: st
	retain  time.Duration     // deliver task retention; 0: the default
	// tenantMetrics turns on the workers' per-tenant Prometheus series.
	tenantMetrics bool
	// networks are more networks the workers index (Solana); their
	// fetchers come from configure.
	networks []string
	// configure, when set, adjusts each worker's handler config (channel
	// options, in-doubt policy, in-flight bounds).
	configure func(*handlers.Config)
	log       *slog.Logger
	mu        sync.Mutex
	stops     []func()
}

func newPipeline(t testing.TB, ledgerDir string, sinkOpts ...ozmontest.WebhookSinkOption) *pipeline {
	t.Helper()
	p := &pipeline{t: t, log: slog.New(slog.NewTextHandler(io.Discard, nil)), batch: 50}
	if testing.Verbose() {
		p.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	p.sim = ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(ledgerDir), ozmontest.SimPassphrase(network.PublicNetworkPassphrase), ozmontest.SimInitialTip(firstLedger))
	p.sink = ozmontest.StartWebhookSink(t, sinkOpts...)
	url, schema := testkit.PostgresSchema(t)
	st, err := postgres.Open(context.Background(), url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.st = st
	p.rdbOpts = testkit.Redis(t)
	client, err := stellar.NewClient([]chain.Endpoint{{URL: p.sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	p.src = &stellar.Source{Client: client, Network: mainnet, Passphrase: network.PublicNetworkPassphrase}
	if err := st.AdvanceCursor(context.Background(), mainnet, firstLedger-1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stopAll)
	return p
}

func (p *pipeline) addStop(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stops = append(p.stops, f)
}

func (p *pipeline) stopAll() {
	p.mu.Lock()
	stops := p.stops
	p.stops = nil
	p.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
}

// importTenant creates the tenant and imports raw through the one write
// path, as `ozmon import` does (the operator: no quotas; webhooks may
// reach the local sink).
func (p *pipeline) importTenant(slug string, _ *ozconfig.Config, raw store.RawConfig, tier tasks.Tier) string {
	p.t.Helper()
	ctx := context.Background()
	t, err := p.st.CreateTenant(ctx, postgres.NewTenant{Slug: slug})
	if errors.Is(err, postgres.ErrExists) { // imported again: the same tenant
		all, lerr := p.st.AllTenants(ctx)
		for _, a := range all {
			if a.Slug == slug {
				t, err = a, lerr
			}
		}
	}
	if err != nil {
		p.t.Fatal(err)
	}
	id := t.ID
	guard, err := notify.NewGuard(notify.Allow("127.0.0.1/32"))
	if err != nil {
		p.t.Fatal(err)
	}
	w := tenantconfig.New(p.st, tenantconfig.WithNotifyOptions(notify.WithGuard(guard)))
	if _, err := w.Apply(ctx, id, auth.Principal{Operator: true}, tenantconfig.Import{Files: files.ItemFiles(raw)}); err != nil {
		p.t.Fatalf("import tenant %s: %v", slug, err)
	}
	if tier != "" {
		if err := p.st.SetTenantTier(context.Background(), id, tier); err != nil {
			p.t.Fatal(err)
		}
	}
	return id
}

// newHandlers builds a worker's handlers on its own Redis client, block
// cache and tenant view, kept fresh until ctx ends.
func (p *pipeline) newHandlers(ctx context.Context, rdb *redis.Client, m *metrics.Metrics) (*handlers.Handlers, *tenants.Registry, *asynq.Client) {
	p.t.Helper()
	specs := func(_, _ string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			return stellar.ParseSpecJSON(inline)
		}
		return nil, nil
	}
	networks := []string{mainnet}
	if p.evm != nil {
		networks = append(networks, p.evm.slug)
	}
	networks = append(networks, p.networks...)
	ts := tenants.New(p.st, tenants.WithSpecs(specs), tenants.WithNetworks(networks...), tenants.WithLogger(p.log),
		tenants.WithMetrics(m), tenants.WithABIs(abiSource()))
	if err := ts.Reload(ctx); err != nil {
		p.t.Fatal(err)
	}
	go ts.Watch(ctx, p.st, time.Minute)
	blocks, err := cache.New(rdb, cache.WithMetrics(m))
	if err != nil {
		p.t.Fatal(err)
	}
	guard, err := notify.NewGuard(notify.Allow("127.0.0.1/32"))
	if err != nil {
		p.t.Fatal(err)
	}
	var limiter *notify.RateLimiter
	if p.limit.Rate > 0 {
		if limiter, err = notify.NewRateLimiter(rdb, p.limit); err != nil {
			p.t.Fatal(err)
		}
	}
	// Each worker has its own RPC client, counting its calls like
	// cmd/ozmon's observer does.
	rpc, err := stellar.NewClient([]chain.Endpoint{{URL: p.sim.URL(), Weight: 100}}, chain.WithCallObserver(func(method, _ string, err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		m.RPCCalls.WithLabelValues(mainnet, method, outcome).Inc()
	}))
	if err != nil {
		p.t.Fatal(err)
	}
	src := &stellar.Source{Client: rpc, Network: mainnet, Passphrase: network.PublicNetworkPassphrase}
	client := asynq.NewClientFromRedisClient(rdb)
	fetchers := map[string]handlers.BlockFetcher{mainnet: src}
	if p.evm != nil {
		fetchers[p.evm.slug] = p.evm.source(m)
	}
	records := store.DeliveryLog(p.st)
	if p.records != nil {
		records = p.records
	}
	hc := handlers.Config{
		Client: client, Cache: blocks, Fetchers: fetchers, Tenants: ts, Redis: rdb, Progress: p.st,
		Deliveries: records, ChannelOptions: []notify.Option{notify.WithGuard(guard)}, Activity: handlers.NewActivity(rdb),
		RateLimiter: limiter, DeliverRetention: p.retain, MaxTenantsPerBatch: p.batch, Metrics: m, Log: p.log,
	}
	if p.configure != nil {
		p.configure(&hc)
	}
	h, err := handlers.New(hc)
	if err != nil {
		p.t.Fatal(err)
	}
	return h, ts, client
}

// startWorker starts one stateless worker (its own Redis client, block
// cache LRU and tenant view) and returns a function that stops it.
func (p *pipeline) startWorker(concurrency int, queues map[string]int) func() {
	stop, _ := p.startWorkerM(concurrency, queues)
	return stop
}

// startWorkerM is startWorker that also hands back the worker's metrics.
func (p *pipeline) startWorkerM(concurrency int, queues map[string]int) (func(), *metrics.Metrics) {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rdb := redis.NewClient(p.rdbOpts)
	m := metrics.New(metrics.WithTenantLabels(p.tenantMetrics))
	h, ts, client := p.newHandlers(ctx, rdb, m)
	srv, err := worker.New(rdb, worker.Config{Concurrency: concurrency, ShutdownTimeout: 5 * time.Second,
		Queues: queues, Tiers: ts.Tiers, Logger: worker.AsynqLogger(p.log), Log: p.log})
	if err != nil {
		p.t.Fatal(err)
	}
	if err := srv.Start(h.Mux()); err != nil {
		p.t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			srv.Shutdown()
			client.Close()
			rdb.Close()
		})
	}
	p.addStop(stop)
	return stop, m
}

// startScheduler runs one scheduler replica on a fast cron.
func (p *pipeline) startScheduler() { p.startSchedulerEvery("@every 1s") }

// startSchedulerEvery runs one scheduler replica on the given cron.
func (p *pipeline) startSchedulerEvery(spec string) {
	p.t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log), scheduler.WithProgress(p.st, rdb))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, CronSchedule: spec, Tip: p.src}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
}

// advanceAll makes the remaining ledgers appear one by one, as a chain would.
func (p *pipeline) advanceAll(every time.Duration, during func(ledger uint32)) {
	for p.sim.Tip() < lastLedger {
		time.Sleep(every)
		tip, err := p.sim.Advance(1)
		if err != nil {
			p.t.Fatal(err)
		}
		if during != nil {
			during(tip)
		}
	}
}

// waitQuiet waits until the sink has n requests and the queues are empty.
func (p *pipeline) waitDelivered(n int, timeout time.Duration) []ozmontest.SinkRequest {
	p.t.Helper()
	_, err := p.sink.WaitFor(n, timeout)
	if err != nil {
		p.t.Fatalf("waiting for %d notifications: %v (got %d)", n, err, p.sink.Count())
	}
	p.t.Logf("all %d notifications arrived", n)
	// Let any duplicate that is still in flight arrive before asserting.
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		busy := 0
		queues, _ := insp.Queues()
		for _, q := range queues {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Scheduled + info.Retry
			}
		}
		if busy == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p.sink.Requests()
}

type notification struct{ monitor, tx string }

func parseNotifications(t testing.TB, reqs []ozmontest.SinkRequest) map[notification]int {
	t.Helper()
	got := map[notification]int{}
	for _, r := range reqs {
		var body struct{ Title, Body string }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("webhook body %q: %v", r.Body, err)
		}
		got[notification{body.Title, body.Body}]++
	}
	return got
}

// TestPipelineDeliversEveryNotificationExactlyOnce is the end-to-end test
// of the design card: 20 real mainnet ledgers, 200 tenants in PostgreSQL,
// two schedulers and two workers on real Redis; one worker is stopped in
// the middle and restarted, and Redis drops every connection of the test's
// database once. Every expected notification arrives exactly once, and the
// ledgers are fetched once each.
func TestPipelineDeliversEveryNotificationExactlyOnce(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	targets := rareTargets(blocks, 3)
	if len(targets) < 20 {
		t.Fatalf("only %d rare event targets in the mainnet ledgers", len(targets))
	}
	want := map[notification]int{}
	for i := 0; i < 200; i++ {
		tg := targets[i%len(targets)]
		name := fmt.Sprintf("tenant-%03d-monitor", i)
		cfg, raw := tenantConfig(t, name, tg, "", p.sink.URL())
		p.importTenant(fmt.Sprintf("tenant-%03d", i), cfg, raw, "")
		for tx := range tg.txs {
			want[notification{name, tx}] = 1
		}
	}
	t.Logf("200 tenants on %d targets; %d notifications expected", len(targets), len(want))

	stopA := p.startWorker(10, nil)
	p.startWorker(10, nil)
	p.startScheduler()
	p.startScheduler()
	p.advanceAll(150*time.Millisecond, func(tip uint32) {
		switch tip {
		case firstLedger + 6:
			stopA() // a worker dies mid-run (its in-flight tasks go back to the queue)
		case firstLedger + 9:
			p.startWorker(10, nil) // and a new one takes its place
		case firstLedger + 12:
			killRedisClients(t, p.rdbOpts)
		}
	})
	got := parseNotifications(t, p.waitDelivered(len(want), 2*time.Minute))
	for n, c := range got {
		if want[n] == 0 {
			t.Errorf("unexpected notification %v", n)
		} else if c != 1 {
			t.Errorf("notification %v delivered %d times", n, c)
		}
	}
	for n := range want {
		if got[n] == 0 {
			t.Errorf("missing notification %v", n)
		}
	}
	if calls := p.sim.Calls("getLedgers"); calls != 20 {
		t.Errorf("getLedgers calls = %d, want 20 (one per ledger)", calls)
	}
	for _, m := range []string{"getTransactions", "getEvents", "getLatestLedger"} {
		if c := p.sim.Calls(m); c != 0 {
			t.Errorf("%s calls = %d, want 0", m, c)
		}
	}
	for _, r := range p.sink.Requests()[:1] {
		if r.Header.Get("X-Signature") == "" || r.Header.Get("X-Timestamp") == "" {
			t.Errorf("webhook not signed: %v", r.Header)
		}
	}
}

// killRedisClients drops every connection to the test's Redis database,
// as a failover or a network blip would, without touching other tests.
func killRedisClients(t *testing.T, o *redis.Options) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: o.Addr})
	defer c.Close()
	list, err := c.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		var id string
		db := ""
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "id="); ok {
				id = v
			}
			if v, ok := strings.CutPrefix(f, "db="); ok {
				db = v
			}
		}
		if id != "" && db == fmt.Sprint(o.DB) {
			if c.Do(context.Background(), "CLIENT", "KILL", "ID", id).Err() == nil {
				killed++
			}
		}
	}
	if killed == 0 {
		t.Fatal("no redis connection of the test's database to kill")
	}
}

func parseTrigger(t testing.TB, raw json.RawMessage) *ozconfig.Trigger {
	t.Helper()
	tr, err := ozconfig.ParseTrigger("hook", raw)
	if err != nil {
		t.Fatal(err)
	}
	tr.Key = "hook"
	return tr
}

func parseMonitor(t testing.TB, raw []byte) *ozconfig.Monitor {
	t.Helper()
	m, err := ozconfig.ParseMonitor("monitor", raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
