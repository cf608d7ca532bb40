package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/redis/go-redis/v9"
)

// commonFlags are the flags every long-running command accepts; they win
// over the environment and the config file.
type commonFlags struct {
	configPath, redisURL, databaseURL, configDir, metricsAddr, logLevel, logFormat string
}

func addCommon(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{}
	fs.StringVar(&c.configPath, "config", "", "config file (default "+config.DefaultPath+" when present)")
	fs.StringVar(&c.redisURL, "redis-url", "", "Redis URL (overrides redis_url / OZ_MONITOR_REDIS_URL)")
	fs.StringVar(&c.databaseURL, "database-url", "", "PostgreSQL URL (overrides database_url / OZ_MONITOR_DATABASE_URL)")
	fs.StringVar(&c.configDir, "config-dir", "", "OpenZeppelin Monitor config directory used as the store when there is no database")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "address of /metrics, /healthz and /readyz (default :3000)")
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "", "json or text")
	return c
}

// parseAndLoad parses args into fs (which carries c's flags) and loads the
// configuration with the flags applied last.
func (c *commonFlags) parseAndLoad(fs *flag.FlagSet, args []string) (config.Config, error) {
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	return c.load()
}

func (c *commonFlags) load() (config.Config, error) {
	cfg, err := config.Load(c.configPath, os.Environ())
	if err != nil {
		return cfg, err
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{{c.redisURL, &cfg.RedisURL}, {c.databaseURL, &cfg.DatabaseURL}, {c.configDir, &cfg.ConfigDir},
		{c.metricsAddr, &cfg.MetricsAddr}, {c.logLevel, &cfg.LogLevel}, {c.logFormat, &cfg.LogFormat}} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	return cfg, cfg.Validate()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// app holds what every role shares: configuration, logger, metrics, one
// Redis client, the store and the networks this deployment serves.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	m        *metrics.Metrics
	rdb      redis.UniversalClient
	st       store.Store
	networks map[string]networkSource
	// stellarClients serve contract-spec lookups of Stellar networks.
	stellarClients map[string]*stellar.Client
	netCfg         map[string]*ozconfig.Network
	specs          stellar.SpecCache // contract specs read from the network
	closers        []func()
	// apiHandler is the tenant API when this process serves it; apiShared
	// when it is mounted on the metrics listener.
	apiHandler http.Handler
	apiShared  bool
}

func (a *app) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// openRedis connects to redis_url — one server, a Sentinel-managed
// primary or a Cluster (config.ParseRedisURL) — and checks it answers.
func openRedis(ctx context.Context, redisURL string) (redis.UniversalClient, error) {
	if redisURL == "" {
		return nil, errors.New("no Redis configured: set redis_url, OZ_MONITOR_REDIS_URL or --redis-url (or use 'ozmon dev')")
	}
	target, err := config.ParseRedisURL(redisURL)
	if err != nil {
		return nil, err
	}
	rdb := target.NewClient()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis (%s): %w", target, err)
	}
	return rdb, nil
}

// redactErr keeps a URL (with its password) out of an error text.
func redactErr(err error, url string) error {
	if url == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), url, "<redacted url>"))
}

// openStore opens PostgreSQL (migrating it: the advisory lock makes
// concurrent starts safe, then checking how secrets are stored, which
// refuses the start only under secrets.require_encryption) or, without a
// database, the config directory.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, func(), error) {
	if cfg.DatabaseURL != "" {
		opts, err := postgresOptions(cfg, log)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, postgres.WithReloadInterval(cfg.Worker.TenantReloadInterval.D()), postgres.WithLimits(cfg.Limits.Monitor()),
			postgres.WithMaxPayloadBytes(cfg.Storage.MaxPayloadBytes))
		pg, err := postgres.Open(ctx, cfg.DatabaseURL, opts...)
		if err != nil {
			return nil, nil, err
		}
		if err := pg.Migrate(ctx); err != nil {
			pg.Close()
			return nil, nil, err
		}
		if err := pg.CheckSecrets(ctx, cfg.Secrets.RequireEncryption); err != nil {
			pg.Close()
			return nil, nil, err
		}
		return pg, pg.Close, nil
	}
	if cfg.ConfigDir == "" {
		return nil, nil, errors.New("no store configured: set database_url (PostgreSQL) or config_dir (an OpenZeppelin Monitor config directory)")
	}
	st, err := loadDirStore(cfg.ConfigDir, cfg.Limits.Monitor(), log)
	if err != nil {
		return nil, nil, err
	}
	return st, func() {}, nil
}

// loadDirStore reads a config directory (one tenant, or tenants/<slug>/…)
// into an in-memory store. Each tenant's networks become the operator's
// network registry: in this mode the operator and the tenants are one.
// Each tenant is held to lim, as in the database mode.
func loadDirStore(dir string, lim ozconfig.Limits, log *slog.Logger) (*memory.Store, error) {
	tenants, err := files.LoadTenants(dir, files.WithLimits(lim))
	if err != nil {
		var n int
		if tenants == nil {
			return nil, fmt.Errorf("load %s: %w", dir, err)
		}
		n = files.Report(io.Discard, err)
		log.Warn("config directory has errors; the broken items are skipped", "dir", dir, "errors", n, "detail", err.Error())
	}
	st := memory.New()
	for slug, cfg := range tenants {
		st.PutTenant(store.Tenant{ID: slug, Slug: slug, Name: slug, Active: true}, cfg)
		for s, n := range cfg.Networks {
			st.PutNetwork(store.NetworkEndpoints{Slug: s, Config: n})
		}
	}
	return st, nil
}

// networkSource is one served network as the pipeline sees it: its tip
// for the scheduler, one decoded block for the handlers.
type networkSource interface {
	Tip(ctx context.Context) (uint64, error)
	FetchBlock(ctx context.Context, ledger uint64) (*chain.Block, error)
}

// openNetworks builds a source per network of the operator's registry.
func (a *app) openNetworks(ctx context.Context) error {
	list, err := a.st.Networks(ctx)
	if err != nil {
		return fmt.Errorf("load networks: %w", err)
	}
	a.networks = map[string]networkSource{}
	a.stellarClients = map[string]*stellar.Client{}
	a.netCfg = map[string]*ozconfig.Network{}
	for _, n := range list {
		if n.Config == nil {
			continue
		}
		var eps []endpoint
		for _, u := range n.Config.RPCURLs {
			url, err := u.URL.Resolve(os.LookupEnv)
			if err != nil {
				return fmt.Errorf("network %s: rpc url: %w", n.Slug, err)
			}
			eps = append(eps, endpoint{url, int(u.Weight)})
		}
		slug := n.Slug
		observe := func(method, _ string, err error) {
			a.m.RPCCalls.WithLabelValues(slug, method, outcomeLabel(err)).Inc()
		}
		src, err := a.openSource(n.Config, eps, observe)
		if err != nil {
			return fmt.Errorf("network %s: %w", slug, err)
		}
		if src == nil {
			a.log.Warn("network skipped: its chain is not served yet", "network", slug, "type", n.Config.NetworkType)
			continue
		}
		a.networks[slug] = src
		a.netCfg[slug] = n.Config
	}
	if len(a.networks) == 0 {
		return errors.New("no network to serve: add one to the network registry (ozmon import --register-networks, or networks/ in the config directory)")
	}
	return nil
}

type endpoint struct {
	url    string
	weight int
}

// openSource makes the chain's client and source for one network; nil for
// a chain this build does not serve.
func (a *app) openSource(n *ozconfig.Network, eps []endpoint, observe func(method, endpoint string, err error)) (networkSource, error) {
	lim := a.cfg.RPC.For(n.Slug)
	ce := make([]chain.Endpoint, len(eps))
	for i, e := range eps {
		ce[i] = chain.Endpoint{URL: e.url, Weight: e.weight}
	}
	opts := []chain.RPCOption{chain.WithLogger(a.log), chain.WithCallObserver(observe), chain.WithMaxResponseBytes(lim.MaxResponseBytes)}
	switch n.NetworkType {
	case ozconfig.NetworkStellar:
		client, err := stellar.NewClient(ce, append(opts, stellar.WithMaxLedgerBytes(lim.MaxLedgerBytes))...)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { client.Close() })
		a.stellarClients[n.Slug] = client
		return &stellar.Source{Client: client, Network: n.Slug, Passphrase: n.NetworkPassphrase}, nil
	case ozconfig.NetworkEVM:
		client, err := evm.NewClient(ce, opts...)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { client.Close() })
		// The handlers attach receipts when a block's candidates need them.
		return &evm.Source{Client: client, Network: n.Slug}, nil
	case ozconfig.NetworkSolana:
		// The Solana transport is HTTP POST only: OZ validation accepts
		// ws(s):// URLs but they never connect, so they are left out here.
		var httpEps []chain.Endpoint
		for _, e := range ce {
			if strings.HasPrefix(e.URL, "http://") || strings.HasPrefix(e.URL, "https://") {
				httpEps = append(httpEps, e)
			} else {
				a.log.Warn("solana rpc url skipped: only http(s) endpoints serve JSON-RPC over POST", "network", n.Slug, "scheme", strings.SplitN(e.URL, ":", 2)[0])
			}
		}
		client, err := solana.NewClient(httpEps, opts...)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { client.Close() })
		slug := n.Slug
		return &solana.Source{Client: client, Network: slug,
			OnSkipped: func(uint64) { a.m.EmptySlots.WithLabelValues(slug).Inc() }}, nil
	case ozconfig.NetworkMidnight:
		// One WebSocket connection per network (validation allows only
		// ws:// and wss:// URLs for Midnight).
		client, err := midnight.NewClient(ce, midnight.WithLogger(a.log), midnight.WithCallObserver(observe),
			midnight.WithMaxMessageBytes(lim.MaxResponseBytes))
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { _ = client.Close() })
		return &midnight.Source{Client: client, Network: n.Slug}, nil
	}
	return nil, nil
}

// abiSource parses each distinct inline ABI once (one decoder shared by
// every monitor of a contract, so each call and log is decoded once).
func newABISource() monitor.ABISource {
	cache := evm.NewABICache()
	return func(_, _ string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		abi, err := cache.Get(inline)
		if abi == nil {
			return nil, err // no ABI, or a bad one: never a typed nil
		}
		return abi, nil
	}
}

func outcomeLabel(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

// specSource resolves a monitored address's contract spec: the monitor's
// inline contract_spec when present, else the contract's WASM spec read
// from the network once and cached. A contract without one (a Stellar
// Asset Contract) has no spec: its events still match, its calls do not.
func (a *app) specSource() monitor.SpecSource {
	return monitor.Specs(stellar.ParseSpecJSON, a.fetchSpec)
}

// fetchSpec reads a contract's spec from the network's RPC, once per
// contract (a contract without one, a Stellar Asset Contract, is cached as
// nil); an RPC failure is logged and not cached, so the next reload tries
// again.
func (a *app) fetchSpec(network, contract string) *chain.ContractSpec {
	client, ok := a.stellarClients[network]
	if !ok {
		return nil
	}
	spec, err := a.specs.GetOrLoad(context.Background(), network, contract, func(ctx context.Context) (*chain.ContractSpec, error) {
		spec, err := client.ContractSpec(ctx, contract)
		if errors.Is(err, stellar.ErrNoContractSpec) {
			return nil, nil
		}
		return spec, err
	})
	if err != nil {
		a.log.Warn("contract spec unavailable; function conditions on it cannot match until a reload succeeds",
			"network", network, "contract", contract, "err", err)
		return nil
	}
	return spec
}
