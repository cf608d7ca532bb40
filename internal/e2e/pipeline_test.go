package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/usage"
	"github.com/ozmon/ozmon/worker"
)

// The real mainnet ledgers in testdata/stellar/mainnet.
const (
	mainnet     = "stellar_mainnet"
	firstLedger = 63092982
	lastLedger  = 63093001
)

// target is one (contract, event signature) pair that exactly one
// transaction of the mainnet ledgers emitted: a monitor on it matches once.
type target struct {
	contract, signature string
	tx                  string
	ledger              uint32
}

// rareTarget finds, from the raw block model (independently of the
// monitor engine), the first event emitted by one transaction only in a
// ledger after the first, so the match happens once the pipeline runs.
func rareTarget(tb testing.TB) (dir string, tg target) {
	tb.Helper()
	dir = testkit.SharedPath(tb, "testdata", "stellar", "mainnet")
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	type seen struct {
		target
		txs map[string]bool
	}
	byKey := map[[2]string]*seen{}
	for _, e := range entries {
		data, err := stellar.ReadLedgerFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		b, err := stellar.DecodeLedgerXDR(mainnet, network.PublicNetworkPassphrase, data)
		if err != nil {
			tb.Fatalf("%s: %v", e.Name(), err)
		}
		if b.Ledger <= firstLedger+2 || b.Ledger > lastLedger {
			continue
		}
		for _, tx := range b.Transactions {
			for _, ev := range tx.Events {
				sig, ok := testkit.EventSignature(ev)
				if ev.OpIndex < 0 || !ok || strings.Contains(sig, "Bytes") {
					continue
				}
				k := [2]string{ev.Contract, sig}
				if byKey[k] == nil {
					byKey[k] = &seen{target: target{contract: ev.Contract, signature: sig, tx: tx.Hash, ledger: uint32(b.Ledger)}, txs: map[string]bool{}}
				}
				byKey[k].txs[tx.Hash] = true
			}
		}
	}
	var out []target
	for _, s := range byKey {
		if len(s.txs) == 1 {
			out = append(out, s.target)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no event emitted by a single transaction in the mainnet ledgers")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].contract+out[i].signature < out[j].contract+out[j].signature })
	return dir, out[0]
}

// networkJSON is the operator's registry entry for mainnet, served by rpc.
func networkJSON(rpc string) []byte {
	return fmt.Appendf(nil, `{"network_type":"Stellar","slug":%q,"name":"Stellar Mainnet","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":%q},"weight":100}],
		"network_passphrase":%q,"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":50,"store_blocks":false}`,
		mainnet, rpc, network.PublicNetworkPassphrase)
}

// pipeline is the worker side of the deployment: the Stellar simulator
// serving real mainnet ledgers, one worker (publishing to the live
// streams, metering usage) and one scheduler, and the webhook sink.
type pipeline struct {
	d     *deployment
	sim   *ozmontest.StellarSim
	sink  *ozmontest.WebhookSink
	meter *usage.Meter
	ts    *tenants.Registry
	src   *stellar.Source
	mu    sync.Mutex
	stops []func()
}

// startPipeline registers mainnet in the operator's registry and starts
// the simulator with its tip at tip, the cursor just before it.
func (d *deployment) startPipeline(ledgerDir string, tip uint32) *pipeline {
	tb := d.t
	tb.Helper()
	ctx := context.Background()
	p := &pipeline{d: d}
	p.sim = ozmontest.StartStellarSim(tb, ozmontest.SimLedgerDir(ledgerDir), ozmontest.SimPassphrase(network.PublicNetworkPassphrase), ozmontest.SimInitialTip(tip))
	p.sink = ozmontest.StartWebhookSink(tb)
	if err := d.st.UpsertNetwork(ctx, mainnet, networkJSON(p.sim.URL())); err != nil {
		tb.Fatalf("register network: %v", err)
	}
	if err := d.st.AdvanceCursor(ctx, mainnet, uint64(tip-1)); err != nil {
		tb.Fatal(err)
	}
	client, err := stellar.NewClient([]chain.Endpoint{{URL: p.sim.URL(), Weight: 100}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { client.Close() })
	p.src = &stellar.Source{Client: client, Network: mainnet, Passphrase: network.PublicNetworkPassphrase}
	p.meter = usage.New(d.st, usage.WithInterval(time.Hour), usage.WithLogger(d.log))
	tb.Cleanup(p.stopAll)
	p.startWorker()
	p.startScheduler()
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

// startWorker starts one worker as `ozmon worker` wires it: tenants
// reloaded on LISTEN/NOTIFY, the SSRF guard allowing 127.0.0.1 only,
// the live publisher and the usage meter.
func (p *pipeline) startWorker() {
	d, tb := p.d, p.d.t
	ctx, cancel := context.WithCancel(context.Background())
	rdb := redis.NewClient(d.rdbOpts)
	m := metrics.New()
	specs := func(_, _ string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			return stellar.ParseSpecJSON(inline)
		}
		return nil, nil
	}
	p.ts = tenants.New(d.st, tenants.WithSpecs(specs), tenants.WithNetworks(mainnet), tenants.WithLogger(d.log), tenants.WithMetrics(m))
	if err := p.ts.Reload(ctx); err != nil {
		tb.Fatal(err)
	}
	watched := make(chan struct{})
	go func() { defer close(watched); p.ts.Watch(ctx, d.st, time.Minute) }()
	blocks, err := cache.New(rdb, cache.WithMetrics(m))
	if err != nil {
		tb.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	h, err := handlers.New(handlers.Config{
		Client: client, Cache: blocks, Fetchers: map[string]handlers.BlockFetcher{mainnet: p.src}, Tenants: p.ts, Redis: rdb,
		Progress: d.st, Deliveries: d.st, ChannelOptions: []notify.Option{notify.WithGuard(d.guard)}, MaxTenantsPerBatch: 50,
		Metrics: m, Log: d.log, Usage: p.meter,
		Live: live.NewPublisher(rdb, live.WithKeyPrefix(livePrefix), live.WithMetrics(m)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := worker.New(rdb, worker.Config{Concurrency: 5, ShutdownTimeout: 5 * time.Second, Tiers: p.ts.Tiers,
		Logger: worker.AsynqLogger(d.log), Log: d.log})
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start(h.Mux()); err != nil {
		tb.Fatal(err)
	}
	p.addStop(func() {
		cancel()
		srv.Shutdown()
		<-watched
		client.Close()
		rdb.Close()
	})
}

// startScheduler runs one scheduler on a fast cron.
func (p *pipeline) startScheduler() {
	d, tb := p.d, p.d.t
	rdb := redis.NewClient(d.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	s := scheduler.New(client, d.st, scheduler.WithLogger(d.log), scheduler.WithProgress(d.st, rdb))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, CronSchedule: "@every 1s", Tip: p.src}); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
}

// advanceTo makes ledgers appear one by one up to seq, as a chain would.
func (p *pipeline) advanceTo(seq uint32) {
	for p.sim.Tip() < seq {
		if _, err := p.sim.Advance(1); err != nil {
			p.d.t.Fatal(err)
		}
	}
}
