package config

// Accepted, ignored: the keys of the seed orchestrator's configuration file
// that ozmon parses, so that the seed's file loads unchanged (the loader
// refuses unknown keys), but that nothing reads. They are gathered here so
// that no other field pretends to be honoured; docs/config.md lists them.
// An issue that implements one moves it out of this file.

// IgnoredTop holds the ignored top-level keys. service_mode: the
// subcommand picks the role; cursor_file: the scheduler keeps its cursors
// in the store.
type IgnoredTop struct {
	ServiceMode string `yaml:"service_mode" env:"SERVICE_MODE"`
	CursorFile  string `yaml:"cursor_file" env:"CURSOR_FILE"`
}

// IgnoredWorker holds the ignored keys of the worker section: batch size is
// load_balancer.max_tenants_per_batch, and health is served on metrics_addr.
type IgnoredWorker struct {
	MaxTenantsPerWorker int      `yaml:"max_tenants_per_worker" env:"MAX_TENANTS_PER_WORKER"`
	HealthCheckInterval Duration `yaml:"health_check_interval" env:"HEALTH_CHECK_INTERVAL"`
}

// IgnoredLoadBalancer holds the ignored keys of the load_balancer section:
// batches are recomputed for every ledger, so there is nothing to rebalance.
type IgnoredLoadBalancer struct {
	MaxTenantsPerWorker  int      `yaml:"max_tenants_per_worker" env:"MAX_TENANTS_PER_WORKER"`
	RebalanceThreshold   float64  `yaml:"rebalance_threshold" env:"REBALANCE_THRESHOLD"`
	MinRebalanceInterval Duration `yaml:"min_rebalance_interval" env:"MIN_REBALANCE_INTERVAL"`
}

// BlockWatcher is the seed's block_watcher section, ignored whole: the
// scheduler enqueues one fetch-block task per ledger, and the chain
// clients keep their own retry policy.
type BlockWatcher struct {
	ChannelBufferSize int    `yaml:"channel_buffer_size" env:"CHANNEL_BUFFER_SIZE"`
	MaxBlocksPerFetch uint64 `yaml:"max_blocks_per_fetch" env:"MAX_BLOCKS_PER_FETCH"`
	RetryAttempts     int    `yaml:"retry_attempts" env:"RETRY_ATTEMPTS"`
	RetryDelayMs      int    `yaml:"retry_delay_ms" env:"RETRY_DELAY_MS"`
}

// IgnoredAPI holds the ignored keys of the seed's api section:
// cross-origin requests are governed by api.allowed_origins, and each
// tenant's API calls by its max_rpc_requests_per_minute quota.
type IgnoredAPI struct {
	CorsEnabled bool `yaml:"cors_enabled" env:"CORS_ENABLED"`
	RateLimit   int  `yaml:"rate_limit" env:"RATE_LIMIT"`
}
