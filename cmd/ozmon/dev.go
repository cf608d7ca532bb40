package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"
)

// runDev runs the whole pipeline in one process: Redis (yours, or an
// in-process miniredis), the Stellar RPC simulator with synthetic ledgers,
// sample tenants whose monitors fire, and a local webhook sink that prints
// every notification. Nothing but Go is needed.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configDir := fs.String("config-dir", "", "use this config directory (tenants/<slug>/… or one tenant) instead of the generated samples")
	interval := fs.Duration("ledger-interval", 2*time.Second, "how often the simulator closes a ledger")
	txPerLedger := fs.Int("tx-per-ledger", 50, "transactions in each synthetic ledger")
	seed := fs.Int64("seed", 1, "seed of the synthetic ledgers")
	metricsAddr := fs.String("metrics-addr", "127.0.0.1:3000", "address of /metrics, /healthz and /readyz ('' to disable)")
	apiAddr := fs.String("api-addr", "127.0.0.1:8088", "address of the tenant API ('' to disable)")
	runFor := fs.Duration("for", 0, "stop after this long (0: until Ctrl-C)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	cfg := config.Defaults()
	cfg.LogFormat, cfg.MetricsAddr = "text", *metricsAddr
	cfg.Worker.TenantReloadInterval = config.Duration(10 * time.Second)
	cfg.Notify.AllowHosts = []string{"127.0.0.1/32"} // the local sink
	cfg.Notify.ResolveEnvSecrets = true              // one operator, one environment
	log := newLogger(cfg, stderr)
	routeRedisLogs(log)
	a := &app{cfg: cfg, log: log, m: metrics.New(metrics.WithTenantLabels(cfg.API.TenantMetrics))}
	defer a.Close()

	// Redis: yours if OZ_MONITOR_REDIS_URL says so, else in-process.
	if u := os.Getenv("OZ_MONITOR_REDIS_URL"); u != "" {
		rdb, err := openRedis(ctx, u)
		if err != nil {
			return err
		}
		a.rdb = rdb
	} else {
		mr := miniredis.NewMiniRedis()
		if err := mr.Start(); err != nil {
			return fmt.Errorf("start in-process redis: %w", err)
		}
		a.closers = append(a.closers, mr.Close)
		log.Warn("!!! DEV MODE: using an in-process miniredis; nothing survives a restart and it is slow under load. " +
			"Set OZ_MONITOR_REDIS_URL=redis://127.0.0.1:6379 to use a real Redis. Never run production this way.")
		a.rdb = redis.NewClient(&redis.Options{Addr: mr.Addr()})
	}
	a.closers = append(a.closers, func() { a.rdb.Close() })

	sim, err := ozmontest.NewStellarSim(
		ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: *seed, Ledgers: 3, TxPerLedger: *txPerLedger, Passphrase: network.TestNetworkPassphrase}),
		ozmontest.SimTipInterval(*interval))
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() { sim.Close() })
	log.Info("stellar RPC simulator serving synthetic ledgers", "url", sim.URL(), "interval", *interval)

	sink, err := ozmontest.NewWebhookSink("127.0.0.1:0", ozmontest.SinkOnRequest(func(r ozmontest.SinkRequest) {
		fmt.Fprintf(stdout, "notification %s %s\n", time.Now().Format(time.TimeOnly), compactBody(r.Body))
	}))
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() { sink.Close() })

	dir := *configDir
	if dir == "" {
		dir = filepath.Join(".ozmon", "dev", "config")
		_ = os.RemoveAll(dir)
		ids := ozmontest.SyntheticIDs(*seed, network.TestNetworkPassphrase)
		if err := writeDevConfig(dir, sim.URL(), sink.URL(), ids.Token, ids.App); err != nil {
			return err
		}
		log.Info("wrote sample tenants", "dir", dir)
	}
	st, err := loadDirStore(dir, cfg.Limits.Monitor(), log)
	if err != nil {
		return err
	}
	// The operator's registry in dev: every network the tenants name is
	// served by the simulator.
	nets, _ := st.Networks(ctx)
	for _, n := range nets {
		if n.Config != nil && n.Config.NetworkType == ozconfig.NetworkStellar {
			n.Config.RPCURLs = []ozconfig.RPCURL{{Type: "rpc", URL: ozconfig.PlainSecret(sim.URL()), Weight: 100}}
			n.Config.NetworkPassphrase = sim.Passphrase()
			st.PutNetwork(store.NetworkEndpoints{Slug: n.Slug, Config: n.Config})
		}
	}
	a.st = st
	// With PostgreSQL, dev serves the tenant API and console too.
	var consoleKeys map[string]string
	if u := os.Getenv("OZ_MONITOR_DATABASE_URL"); u != "" && *apiAddr != "" {
		if consoleKeys, err = a.devDatabase(ctx, u, dir); err != nil {
			return err
		}
	}
	if err := a.openNetworks(ctx); err != nil {
		return err
	}
	log.Info("ozmon dev is running; notifications print below as they reach the local webhook sink", "sink", sink.URL())
	withAPI := *apiAddr != ""
	if withAPI {
		host, port, err := net.SplitHostPort(*apiAddr)
		if err != nil {
			return fmt.Errorf("--api-addr %q: %w", *apiAddr, err)
		}
		if a.cfg.API.Port, err = strconv.Atoi(port); err != nil {
			return fmt.Errorf("--api-addr %q: port: %w", *apiAddr, err)
		}
		a.cfg.API.Host = host
		if consoleKeys != nil {
			printConsole(stdout, a.cfg.API.Addr(), consoleKeys)
		} else {
			// dev keeps tenants in memory; the API's keys, users and writes
			// live in PostgreSQL, so run() leaves it out with a warning.
			fmt.Fprintln(stdout, "tenant API: not served by ozmon dev (it needs PostgreSQL: run `ozmon api` with database_url)")
			fmt.Fprintln(stdout, "tenant console: set OZ_MONITOR_DATABASE_URL to serve the API and the console with ready-made keys")
		}
	}
	return a.run(ctx, true, true, withAPI)
}

// compactBody shows a template-mode webhook body as "title | body" on one
// line, and anything else as compact text.
func compactBody(b []byte) string {
	var msg struct{ Title, Body string }
	s := string(b)
	if json.Unmarshal(b, &msg) == nil && msg.Title != "" {
		s = msg.Title + " | " + msg.Body
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
