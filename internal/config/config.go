// Package config owns ozmon's process configuration: defaults, the YAML
// file (/etc/oz-monitor/config.yaml, the seed orchestrator's format),
// OZ_MONITOR_* environment variables and flags, in rising precedence.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"go.yaml.in/yaml/v3"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// DefaultPath is where the container image looks for the file.
const DefaultPath = "/etc/oz-monitor/config.yaml"

// Config is everything a process reads at start.
type Config struct {
	DatabaseURL string `yaml:"database_url" env:"DATABASE_URL"`
	RedisURL    string `yaml:"redis_url" env:"REDIS_URL"`
	// ConfigDir is an OpenZeppelin Monitor config directory used as the
	// tenant store when no database_url is set (one tenant, or
	// tenants/<slug>/…).
	ConfigDir   string `yaml:"config_dir" env:"CONFIG_DIR"`
	MetricsAddr string `yaml:"metrics_addr" env:"METRICS_ADDR"`
	LogFormat   string `yaml:"log_format" env:"LOG_FORMAT"` // json | text
	LogLevel    string `yaml:"log_level" env:"LOG_LEVEL"`   // debug | info | warn | error

	Worker       Worker       `yaml:"worker" envPrefix:"WORKER_"`
	BlockCache   BlockCache   `yaml:"block_cache" envPrefix:"BLOCK_CACHE_"`
	LoadBalancer LoadBalancer `yaml:"load_balancer" envPrefix:"LOAD_BALANCER_"`
	BlockWatcher BlockWatcher `yaml:"block_watcher" envPrefix:"BLOCK_WATCHER_"` // accepted, ignored (ignored.go)
	API          API          `yaml:"api" envPrefix:"API_"`
	Notify       Notify       `yaml:"notify" envPrefix:"NOTIFY_"`
	Asynqmon     Asynqmon     `yaml:"asynqmon" envPrefix:"ASYNQMON_"`
	Secrets      Secrets      `yaml:"secrets" envPrefix:"SECRETS_"`
	RPC          RPC          `yaml:"rpc" envPrefix:"RPC_"`
	Limits       Limits       `yaml:"limits" envPrefix:"LIMITS_"`
	Storage      Storage      `yaml:"storage" envPrefix:"STORAGE_"`

	// Region names this process's region in a multi-region deployment
	// (docs/multi-region.md): its scheduler serves the tenants homed there
	// and heartbeats into PostgreSQL. Empty: one region, no heartbeat.
	Region  string  `yaml:"region" env:"REGION"`
	Regions Regions `yaml:"regions" envPrefix:"REGIONS_"`

	IgnoredTop `yaml:",inline"` // accepted, ignored (ignored.go)
}

// Worker configures the asynq servers that drain the queues.
type Worker struct {
	TenantReloadInterval Duration `yaml:"tenant_reload_interval" env:"TENANT_RELOAD_INTERVAL"`
	Concurrency          int      `yaml:"concurrency" env:"CONCURRENCY"`
	NotifyConcurrency    int      `yaml:"notify_concurrency" env:"NOTIFY_CONCURRENCY"`
	// Queues this worker drains, with their weights; empty means every
	// queue at its default weight. A deployment can run a dedicated pool
	// for high-value tenants ("eval-critical:1,notify-critical:1") and
	// another for the rest.
	Queues          map[string]int `yaml:"queues" env:"QUEUES"`
	ShutdownTimeout Duration       `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`

	IgnoredWorker `yaml:",inline"` // accepted, ignored (ignored.go)
}

// BlockCache configures the Redis block cache. TTLs are in seconds, as in
// the seed (a duration string like "90s" is accepted too).
type BlockCache struct {
	BlockTTL       Duration `yaml:"block_ttl" env:"BLOCK_TTL"`
	LatestBlockTTL Duration `yaml:"latest_block_ttl" env:"LATEST_BLOCK_TTL"`
	KeyPrefix      string   `yaml:"key_prefix" env:"KEY_PREFIX"`
	LRUSize        int      `yaml:"lru_size" env:"LRU_SIZE"`
}

// LoadBalancer configures how tenants are grouped into evaluate-tenants
// batches.
type LoadBalancer struct {
	Strategy           string `yaml:"strategy" env:"STRATEGY"`
	MaxTenantsPerBatch int    `yaml:"max_tenants_per_batch" env:"MAX_TENANTS_PER_BATCH"`

	IgnoredLoadBalancer `yaml:",inline"` // accepted, ignored (ignored.go)
}

// Regions configures a multi-region deployment (with Region set); every
// region's processes must agree on it.
type Regions struct {
	// DefaultHome is the region serving tenants without a home region
	// (required with region).
	DefaultHome string `yaml:"default_home" env:"DEFAULT_HOME"`
	// HeartbeatTimeout is how long a region may go without a heartbeat
	// before another takes over its tenants (default 30s).
	HeartbeatTimeout Duration `yaml:"heartbeat_timeout" env:"HEARTBEAT_TIMEOUT"`
	// HeartbeatInterval is how often a region's scheduler beats and looks
	// at the others (default a fifth of the timeout).
	HeartbeatInterval Duration `yaml:"heartbeat_interval" env:"HEARTBEAT_INTERVAL"`
}

// Storage bounds what the delivery log keeps in PostgreSQL.
type Storage struct {
	// DeliveryRetention is how long delivery records are kept (default
	// 90 days, 2160h): the log is partitioned by week of ledger close
	// time, and a week's partition is dropped whole once all of it is
	// older than this. A forced resend (`ozmon admin deliveries retry
	// --force`) works for as long. 0 keeps every record.
	DeliveryRetention Duration `yaml:"delivery_retention" env:"DELIVERY_RETENTION"`
	// MaintenanceInterval is how often the scheduler makes the coming
	// weeks' partitions and drops those past retention (default 1h). Every
	// scheduler replica does it; they take turns.
	MaintenanceInterval Duration `yaml:"maintenance_interval" env:"MAINTENANCE_INTERVAL"`
	// MaxPayloadBytes caps the compacted notification payload a delivery
	// record keeps for a resend (default 65536): a larger one is refused
	// when the match is recorded, with the tenant, monitor and both sizes
	// in the error, and the notification is sent without it.
	MaxPayloadBytes int `yaml:"max_payload_bytes" env:"MAX_PAYLOAD_BYTES"`
}

// Notify is the operator's policy for notifications.
type Notify struct {
	// AllowHosts lists hosts or CIDRs that webhooks may reach although
	// they are private or loopback (e.g. "127.0.0.1/32" in dev).
	AllowHosts     []string `yaml:"allow_hosts" env:"ALLOW_HOSTS"`
	ScriptsEnabled bool     `yaml:"scripts_enabled" env:"SCRIPTS_ENABLED"`
	// ScriptDir is where relative script_path values resolve: the
	// operator's directory of vetted scripts.
	ScriptDir string `yaml:"script_dir" env:"SCRIPT_DIR"`
	// ScriptUID and ScriptGID are the user and group scripts run as
	// (default 65534, "nobody"): another uid than the worker's, so a
	// script cannot read the worker's environment (database URL, tokens)
	// through /proc/$PPID/environ. The worker then needs root or
	// CAP_SETUID and CAP_SETGID, and notify.script_dir must be readable
	// by that user. -1 runs scripts as the worker's own user: only for a
	// single-tenant deployment whose scripts may see its secrets.
	ScriptUID int64 `yaml:"script_uid" env:"SCRIPT_UID"`
	ScriptGID int64 `yaml:"script_gid" env:"SCRIPT_GID"`
	// ConditionBudget is how long one tenant's trigger_conditions may run
	// in total per evaluate-tenants batch (default 30 s, the longest
	// timeout_ms a script may have). Each tenant's conditions run apart
	// from the others'; matches the budget leaves no time for are kept
	// (notified unfiltered), never dropped.
	ConditionBudget Duration `yaml:"condition_budget" env:"CONDITION_BUDGET"`
	// ResolveEnvSecrets lets tenants' {"type":"environment"} secrets read
	// this process's environment. Off by default: in a multi-tenant
	// deployment it would let a tenant send the operator's variables to a
	// host of its choosing. Turn it on for single-tenant deployments.
	ResolveEnvSecrets bool `yaml:"resolve_env_secrets" env:"RESOLVE_ENV_SECRETS"`
	// RatePerMinute paces each tenant's notifications (0: no limit);
	// excess is delayed, never dropped.
	RatePerMinute float64 `yaml:"rate_per_minute" env:"RATE_PER_MINUTE"`
	RateBurst     int     `yaml:"rate_burst" env:"RATE_BURST"`
	// Retention is how long a sent notification's task, payload included,
	// stays in Redis (default 1h). Memory grows with it (a few KB per
	// notification). The PostgreSQL record guards against resends either
	// way, and keeps the payload compacted, so a forced resend (`ozmon admin
	// deliveries retry --force`) works for storage.delivery_retention
	// whatever this is.
	Retention Duration `yaml:"retention" env:"RETENTION"`
	// SendTimeout bounds one send attempt (HTTP request, SMTP session,
	// script run). A worker stopping gives in-flight sends at least this
	// long to finish.
	SendTimeout Duration `yaml:"send_timeout" env:"SEND_TIMEOUT"`
	// InDoubt is what a recovered deliver task does with a notification
	// whose earlier attempt started and never recorded an outcome (a
	// worker killed mid-send) on a channel that has no idempotency key of
	// its own (Slack, Discord, Telegram): "resend" (at least once: the
	// message may repeat) or "hold" (record it in_doubt and archive the
	// task for an operator to decide). Channels that carry the
	// notification id (webhook, email, script) always resend it.
	InDoubt string `yaml:"in_doubt" env:"IN_DOUBT"`
	// TenantConcurrency bounds one tenant's deliveries in flight in a
	// worker (0: a tenth of worker.notify_concurrency, at least 1);
	// DestinationConcurrency bounds one destination host's (0: half of
	// it). Work beyond either is scheduled a moment later, never dropped,
	// so a hanging endpoint cannot hold every delivery slot.
	TenantConcurrency      int `yaml:"tenant_concurrency" env:"TENANT_CONCURRENCY"`
	DestinationConcurrency int `yaml:"destination_concurrency" env:"DESTINATION_CONCURRENCY"`
}

// RPCLimits bound what one RPC answer may cost a worker (docs/rpc-limits.md);
// 0 keeps the chain client's default.
type RPCLimits struct {
	// MaxResponseBytes caps the answer of every method but Stellar's
	// getLedgers (default 64 MiB).
	MaxResponseBytes int64 `yaml:"max_response_bytes" env:"MAX_RESPONSE_BYTES"`
	// MaxLedgerBytes sizes a Stellar getLedgers answer's cap: this much for
	// the first ledger asked, a quarter of it for each further one
	// (default 16 MiB, 8 times the busiest mainnet ledger measured).
	MaxLedgerBytes int64 `yaml:"max_ledger_bytes" env:"MAX_LEDGER_BYTES"`
}

// RPC holds the RPC limits of every network and, in Networks, those of
// single networks by slug (YAML only), whose non-zero values win.
type RPC struct {
	RPCLimits `yaml:",inline"`
	Networks  map[string]RPCLimits `yaml:"networks"`
}

// For returns the limits of the network slug.
func (r RPC) For(slug string) RPCLimits {
	l := r.RPCLimits
	if n, ok := r.Networks[slug]; ok {
		if n.MaxResponseBytes != 0 {
			l.MaxResponseBytes = n.MaxResponseBytes
		}
		if n.MaxLedgerBytes != 0 {
			l.MaxLedgerBytes = n.MaxLedgerBytes
		}
	}
	return l
}

// Limits bound what one tenant's configuration may hold, at `ozmon
// validate`, at `ozmon import` and whenever a worker loads or reloads a
// tenant; see ozconfig.Limits (whose defaults these are) and docs/limits.md.
type Limits struct {
	// ExpressionBytes bounds one filter expression (default 64 KiB).
	ExpressionBytes int `yaml:"expression_bytes" env:"EXPRESSION_BYTES"`
	// ListItems bounds the items of any one list or map of a monitor,
	// trigger or network: addresses, conditions, triggers, headers, …
	// (default 10000).
	ListItems int `yaml:"list_items" env:"LIST_ITEMS"`
	// ItemBytes bounds one monitor, trigger or network as JSON (default
	// 4 MiB).
	ItemBytes int `yaml:"item_bytes" env:"ITEM_BYTES"`
	// TenantBytes bounds all of one tenant's items together (default
	// 64 MiB).
	TenantBytes int `yaml:"tenant_bytes" env:"TENANT_BYTES"`
}

// Monitor returns the limits as the config model applies them.
func (l Limits) Monitor() ozconfig.Limits {
	return ozconfig.Limits{ExpressionBytes: l.ExpressionBytes, ListItems: l.ListItems, ItemBytes: l.ItemBytes, TenantBytes: l.TenantBytes}
}

// Asynqmon configures the queue web UI.
type Asynqmon struct {
	Addr          string `yaml:"addr" env:"ADDR"`
	Path          string `yaml:"path" env:"PATH"`
	BearerToken   string `yaml:"bearer_token" env:"BEARER_TOKEN"`
	ReadOnlyToken string `yaml:"read_only_token" env:"READ_ONLY_TOKEN"`
	PrometheusURL string `yaml:"prometheus_url" env:"PROMETHEUS_URL"`
}

// API configures `ozmon api`, the tenant GraphQL API (package api): where
// it listens, what a request may cost, and the credentials it accepts.
type API struct {
	// Host and Port are where the API listens (the seed's keys). When they
	// name the same address as metrics_addr, the API is served on that
	// listener too.
	Host string `yaml:"host" env:"HOST"`
	Port int    `yaml:"port" env:"PORT"`
	// AllowedOrigins are the browser origins allowed to call the API and
	// open subscriptions (CORS and the WebSocket Origin check); empty
	// allows same-origin requests and non-browser clients only.
	AllowedOrigins []string `yaml:"allowed_origins" env:"ALLOWED_ORIGINS"`
	// BodyLimit caps a request body in bytes.
	BodyLimit int64 `yaml:"body_limit" env:"BODY_LIMIT"`
	// Introspection serves the schema to __schema/__type queries.
	Introspection bool `yaml:"introspection" env:"INTROSPECTION"`
	// ComplexityLimit and DepthLimit refuse expensive and deep queries
	// before they run.
	ComplexityLimit int `yaml:"complexity_limit" env:"COMPLEXITY_LIMIT"`
	DepthLimit      int `yaml:"depth_limit" env:"DEPTH_LIMIT"`
	// JWTSecret signs user sessions (HS256); without it, e-mail and
	// password login is off.
	JWTSecret Secret `yaml:"jwt_secret" env:"JWT_SECRET"`
	// TokenTTL is how long a session token is valid.
	TokenTTL Duration `yaml:"token_ttl" env:"TOKEN_TTL"`
	// OperatorToken is the operator's credential: it may create tenants
	// and set their tier and quotas. Without it, only `ozmon admin` can.
	OperatorToken Secret `yaml:"operator_token" env:"OPERATOR_TOKEN"`
	// KeyCacheTTL is how long a verified API key or session is trusted
	// without reading the database again: the longest a revocation takes.
	KeyCacheTTL Duration `yaml:"key_cache_ttl" env:"KEY_CACHE_TTL"`
	// StreamMaxLen bounds each tenant's live stream (matches and delivery
	// outcomes): the window a reconnecting subscriber can resume within.
	StreamMaxLen int64 `yaml:"stream_max_len" env:"STREAM_MAX_LEN"`
	// SubscriberBuffer is how many events a subscriber may fall behind
	// before it is disconnected.
	SubscriberBuffer int `yaml:"subscriber_buffer" env:"SUBSCRIBER_BUFFER"`
	// TenantMetrics adds per-tenant labels to Prometheus metrics. Off by
	// default: at 100,000 tenants they are too many series; usage is
	// rolled up in PostgreSQL instead.
	TenantMetrics bool `yaml:"tenant_metrics" env:"TENANT_METRICS"`

	IgnoredAPI `yaml:",inline"` // accepted, ignored (ignored.go)
}

// Addr is Host:Port.
func (a API) Addr() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// Secret is a credential from the configuration: %v, %s, %q, %#v and %+v
// print whether it is set, never its value.
type Secret string

// String says whether the secret is set.
func (s Secret) String() string {
	if s == "" {
		return "[unset]"
	}
	return "[hidden]"
}

// GoString makes %#v as safe as %v.
func (s Secret) GoString() string { return s.String() }

// Format covers every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Value returns the secret itself, for the one place that uses it.
func (s Secret) Value() string { return string(s) }

// Secrets configures the encryption of tenant secrets at rest in
// PostgreSQL (docs/secrets.md): webhook, Slack and Discord URLs, Telegram
// tokens, SMTP credentials, webhook headers, RPC URLs.
type Secrets struct {
	// Keys are the key-encryption keys, each "id:base64key" (32 random
	// bytes: head -c 32 /dev/urandom | base64). OZ_MONITOR_SECRETS_KEYS
	// separates them with commas. Never printed: the type shows only how
	// many there are.
	Keys KeyList `yaml:"keys" env:"KEYS"`
	// KeysFile is a file of more keys, one "id:base64key" per line (blank
	// lines and # comments skipped), e.g. a mounted Kubernetes Secret.
	KeysFile string `yaml:"keys_file" env:"KEYS_FILE"`
	// Active names the key that encrypts new secrets; it may be left empty
	// when there is one key. The others only decrypt, until
	// 'ozmon admin secrets rotate' has moved every secret to Active.
	Active string `yaml:"active" env:"ACTIVE"`
	// RequireEncryption refuses to start while any secret is stored in
	// plaintext or under a key not configured, and refuses to run without
	// keys. Off by default: then those cases are a warning at start.
	RequireEncryption bool `yaml:"require_encryption" env:"REQUIRE_ENCRYPTION"`
}

// KeyList holds key entries without ever showing them: %v, %s, %q, %#v
// and %+v print only their number.
type KeyList []string

// String shows the number of keys.
func (l KeyList) String() string { return fmt.Sprintf("[%d key(s) hidden]", len(l)) }

// GoString makes %#v as safe as %v.
func (l KeyList) GoString() string { return l.String() }

// Format covers every verb, so that no formatting path shows a key.
func (l KeyList) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, l.String()) }

// UnmarshalText reads the environment form: entries separated by commas
// or white space.
func (l *KeyList) UnmarshalText(b []byte) error {
	*l = strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
	return nil
}

// UnmarshalYAML reads a list of entries or one string in the environment
// form. Errors say where, never what: the text may be a key.
func (l *KeyList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return l.UnmarshalText([]byte(n.Value))
	case yaml.SequenceNode:
		out := make(KeyList, 0, len(n.Content))
		for i, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: secrets.keys entry %d: want a string \"id:base64key\"", c.Line, i+1)
			}
			out = append(out, c.Value)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: secrets.keys: want a list of \"id:base64key\" strings", n.Line)
}

// Defaults returns the configuration used where nothing else is said.
func Defaults() Config {
	lim := ozconfig.DefaultLimits()
	return Config{
		IgnoredTop:  IgnoredTop{ServiceMode: "all", CursorFile: ".ozmon/cursors.json"},
		MetricsAddr: ":3000",
		LogFormat:   "json",
		LogLevel:    "info",
		Worker: Worker{IgnoredWorker: IgnoredWorker{MaxTenantsPerWorker: 50, HealthCheckInterval: Duration(30 * time.Second)},
			TenantReloadInterval: Duration(5 * time.Minute), Concurrency: 50, NotifyConcurrency: 50, ShutdownTimeout: Duration(20 * time.Second)},
		BlockCache: BlockCache{BlockTTL: Duration(60 * time.Second), LatestBlockTTL: Duration(5 * time.Second), KeyPrefix: "oz_cache", LRUSize: 32},
		LoadBalancer: LoadBalancer{Strategy: "consistent_hashing", MaxTenantsPerBatch: 200,
			IgnoredLoadBalancer: IgnoredLoadBalancer{MaxTenantsPerWorker: 50, RebalanceThreshold: 0.2, MinRebalanceInterval: Duration(5 * time.Minute)}},
		BlockWatcher: BlockWatcher{ChannelBufferSize: 1000, MaxBlocksPerFetch: 20, RetryAttempts: 3, RetryDelayMs: 1000},
		API: API{Host: "0.0.0.0", Port: 8088, BodyLimit: 1 << 20, ComplexityLimit: 1000, DepthLimit: 12,
			TokenTTL: Duration(time.Hour), KeyCacheTTL: Duration(5 * time.Second),
			StreamMaxLen: 10000, SubscriberBuffer: 256, IgnoredAPI: IgnoredAPI{CorsEnabled: true, RateLimit: 100}},
		Asynqmon: Asynqmon{Addr: ":8080", Path: "/asynqmon"},
		Notify: Notify{Retention: Duration(time.Hour), SendTimeout: Duration(30 * time.Second), InDoubt: "resend",
			ScriptUID: 65534, ScriptGID: 65534, ConditionBudget: Duration(30 * time.Second)},
		Storage: Storage{DeliveryRetention: Duration(90 * 24 * time.Hour), MaintenanceInterval: Duration(time.Hour), MaxPayloadBytes: 64 << 10},
		Regions: Regions{HeartbeatTimeout: Duration(30 * time.Second)},
		Limits:  Limits{ExpressionBytes: lim.ExpressionBytes, ListItems: lim.ListItems, ItemBytes: lim.ItemBytes, TenantBytes: lim.TenantBytes},
	}
}

// Load builds the configuration: defaults, then the file at path (if path
// is empty, DefaultPath when it exists), then the OZ_MONITOR_* variables of
// environ. Flags are applied by the caller afterwards.
func Load(path string, environ []string) (Config, error) {
	c := Defaults()
	explicit := path != ""
	if !explicit {
		path = DefaultPath
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
			return c, fmt.Errorf("config file %s: %w", path, err)
		}
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	default:
		return c, fmt.Errorf("config file: %w", err)
	}
	if err := env.ParseWithOptions(&c, env.Options{Prefix: "OZ_MONITOR_", Environment: env.ToMap(environ)}); err != nil {
		return c, fmt.Errorf("environment: %w", err)
	}
	return c, c.Validate()
}

// Validate checks the values that would otherwise fail late.
func (c Config) Validate() error {
	var errs []error
	if c.RedisURL != "" {
		if _, err := ParseRedisURL(c.RedisURL); err != nil {
			errs = append(errs, err)
		}
	}
	switch c.LoadBalancer.Strategy {
	case "consistent_hashing", "round_robin", "least_loaded", "activity_based":
	default:
		errs = append(errs, fmt.Errorf("load_balancer.strategy: %q is not one of consistent_hashing, round_robin, least_loaded, activity_based", c.LoadBalancer.Strategy))
	}
	if c.LoadBalancer.MaxTenantsPerBatch <= 0 {
		errs = append(errs, fmt.Errorf("load_balancer.max_tenants_per_batch: must be > 0"))
	}
	if c.BlockCache.BlockTTL <= 0 || c.BlockCache.LatestBlockTTL <= 0 {
		errs = append(errs, fmt.Errorf("block_cache: block_ttl and latest_block_ttl must be > 0"))
	}
	if c.BlockCache.KeyPrefix == "" {
		errs = append(errs, fmt.Errorf("block_cache.key_prefix: must not be empty"))
	}
	if c.Worker.Concurrency <= 0 {
		errs = append(errs, fmt.Errorf("worker.concurrency: must be > 0"))
	}
	if c.Worker.NotifyConcurrency <= 0 {
		errs = append(errs, fmt.Errorf("worker.notify_concurrency: must be > 0"))
	}
	if c.Notify.Retention.D() < time.Hour {
		// Shorter would let a retried evaluation (or a re-processed
		// ledger) enqueue a notification again whose task id is gone.
		errs = append(errs, fmt.Errorf("notify.retention: %s is less than 1h", c.Notify.Retention.D()))
	}
	if r := c.Storage.DeliveryRetention.D(); r != 0 && r < 7*24*time.Hour {
		// The log drops whole weeks: a shorter retention would drop the
		// week being written.
		errs = append(errs, fmt.Errorf("storage.delivery_retention: %s is less than 168h (one weekly partition); 0 keeps every record", r))
	}
	if c.Storage.MaintenanceInterval.D() <= 0 || c.Storage.MaintenanceInterval.D() > 24*time.Hour {
		errs = append(errs, fmt.Errorf("storage.maintenance_interval: %s is not within (0, 24h]", c.Storage.MaintenanceInterval.D()))
	}
	if c.Storage.MaxPayloadBytes <= 0 {
		errs = append(errs, fmt.Errorf("storage.max_payload_bytes: %d must be > 0", c.Storage.MaxPayloadBytes))
	}
	if c.Notify.SendTimeout.D() <= 0 {
		errs = append(errs, fmt.Errorf("notify.send_timeout: must be > 0"))
	}
	errs = append(errs, c.validateRegions()...)
	switch c.Notify.InDoubt {
	case "resend", "hold":
	default:
		errs = append(errs, fmt.Errorf("notify.in_doubt: %q is not resend or hold", c.Notify.InDoubt))
	}
	if c.Notify.ScriptUID < -1 || c.Notify.ScriptUID > math.MaxUint32 || c.Notify.ScriptGID < -1 || c.Notify.ScriptGID > math.MaxUint32 ||
		(c.Notify.ScriptUID == -1) != (c.Notify.ScriptGID == -1) {
		errs = append(errs, fmt.Errorf("notify.script_uid and notify.script_gid: %d and %d must both be -1 (the worker's user) or both ids", c.Notify.ScriptUID, c.Notify.ScriptGID))
	}
	if c.Notify.ConditionBudget.D() <= 0 {
		errs = append(errs, fmt.Errorf("notify.condition_budget: must be > 0"))
	}
	if c.Notify.TenantConcurrency < 0 || c.Notify.DestinationConcurrency < 0 {
		errs = append(errs, fmt.Errorf("notify.tenant_concurrency and notify.destination_concurrency: must be >= 0"))
	}
	for q, w := range c.Worker.Queues {
		if w <= 0 {
			errs = append(errs, fmt.Errorf("worker.queues: %q has weight %d, must be > 0", q, w))
		}
	}
	if c.LoadBalancer.RebalanceThreshold < 0 || c.LoadBalancer.RebalanceThreshold > 1 {
		errs = append(errs, fmt.Errorf("load_balancer.rebalance_threshold: %v is outside 0..1", c.LoadBalancer.RebalanceThreshold))
	}
	for slug, l := range c.RPC.Networks {
		if l.MaxResponseBytes < 0 || l.MaxLedgerBytes < 0 {
			errs = append(errs, fmt.Errorf("rpc.networks.%s: max_response_bytes and max_ledger_bytes must be >= 0", slug))
		}
	}
	if c.RPC.MaxResponseBytes < 0 || c.RPC.MaxLedgerBytes < 0 {
		errs = append(errs, fmt.Errorf("rpc: max_response_bytes and max_ledger_bytes must be >= 0"))
	}
	for _, l := range []struct {
		key string
		v   int
	}{{"expression_bytes", c.Limits.ExpressionBytes}, {"list_items", c.Limits.ListItems},
		{"item_bytes", c.Limits.ItemBytes}, {"tenant_bytes", c.Limits.TenantBytes}} {
		if l.v <= 0 {
			errs = append(errs, fmt.Errorf("limits.%s: %d must be > 0", l.key, l.v))
		}
	}
	if c.Limits.ItemBytes > c.Limits.TenantBytes {
		errs = append(errs, fmt.Errorf("limits.item_bytes: %d is more than limits.tenant_bytes (%d)", c.Limits.ItemBytes, c.Limits.TenantBytes))
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		errs = append(errs, fmt.Errorf("log_format: %q is not json or text", c.LogFormat))
	}
	if c.API.Port <= 0 || c.API.Port > 65535 {
		errs = append(errs, fmt.Errorf("api.port: %d is not a TCP port", c.API.Port))
	}
	for _, l := range []struct {
		key string
		v   int64
	}{{"body_limit", c.API.BodyLimit}, {"complexity_limit", int64(c.API.ComplexityLimit)}, {"depth_limit", int64(c.API.DepthLimit)},
		{"stream_max_len", c.API.StreamMaxLen}, {"subscriber_buffer", int64(c.API.SubscriberBuffer)}} {
		if l.v <= 0 {
			errs = append(errs, fmt.Errorf("api.%s: %d must be > 0", l.key, l.v))
		}
	}
	if c.API.TokenTTL <= 0 || c.API.KeyCacheTTL <= 0 {
		errs = append(errs, errors.New("api.token_ttl and api.key_cache_ttl: must be > 0"))
	}
	if s := c.API.JWTSecret.Value(); s != "" && len(s) < 32 {
		errs = append(errs, fmt.Errorf("api.jwt_secret: %d bytes; use at least 32", len(s)))
	}
	if len(c.Secrets.Keys) == 0 && c.Secrets.KeysFile == "" {
		if c.Secrets.RequireEncryption {
			errs = append(errs, errors.New("secrets.require_encryption: set, but no key is configured (secrets.keys or secrets.keys_file)"))
		}
		if c.Secrets.Active != "" {
			errs = append(errs, fmt.Errorf("secrets.active: %q names a key, but no key is configured (secrets.keys or secrets.keys_file)", c.Secrets.Active))
		}
	}
	return errors.Join(errs...)
}

// Duration reads "30s", "5m" or a plain number of seconds (the seed's TTLs).
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalText implements encoding.TextUnmarshaler (env and YAML scalars).
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		*d = Duration(time.Duration(n) * time.Second)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: want seconds or a Go duration like 30s or 5m", s)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error { return d.UnmarshalText([]byte(n.Value)) }

// MarshalText shows durations as Go durations.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }
