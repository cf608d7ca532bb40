// Package metrics owns ozmon's Prometheus instruments: the seed
// orchestrator's oz_monitor_* names plus the pipeline's own.
//
// One *Metrics is made per process and passed down; nothing is registered
// globally, so tests can make as many as they like.
//
// Per-tenant series (a tenant label) are opt-in (WithTenantLabels, the
// api.tenant_metrics key): at 100,000 tenants they are too many series for
// Prometheus. Fleet totals are always on, and per-tenant cost is metered
// into PostgreSQL by package usage.
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Metrics holds every instrument. Components take one from their caller;
// tests simply make their own with New.
type Metrics struct {
	Registry *prometheus.Registry

	WorkerCount     prometheus.Gauge
	TenantCount     prometheus.Gauge
	RPCCalls        *prometheus.CounterVec // network, method, outcome
	CacheRequests   *prometheus.CounterVec // layer (lru|redis)
	CacheHits       *prometheus.CounterVec // layer
	CacheMisses     *prometheus.CounterVec // layer
	BlockProcessing *prometheus.HistogramVec
	LedgersBehind   *prometheus.GaugeVec // network
	LedgersEnqueued *prometheus.CounterVec
	LedgersSkipped  *prometheus.CounterVec   // network, reason
	EmptySlots      *prometheus.CounterVec   // network: Solana slots in which no block was produced
	EndToEnd        *prometheus.HistogramVec // network: ledger closed → notification delivered
	Matches         *prometheus.CounterVec   // network
	Deliveries      *prometheus.CounterVec   // channel, outcome
	// Evaluations, ScriptMs and ConfigErrors are fleet totals: tenant
	// evaluations against a ledger, trigger-condition script time, broken
	// tenant config items skipped.
	Evaluations  prometheus.Counter
	ScriptMs     prometheus.Counter
	ConfigErrors prometheus.Counter
	Reorgs       *prometheus.CounterVec // network: blocks replaced by a reorganisation
	// OrphanedDeliveries counts delivered notifications whose block was
	// later replaced (network).
	OrphanedDeliveries *prometheus.CounterVec
	// LedgersRedriven counts ledgers scheduled again because Redis lost
	// their tasks (network); LedgersLost those given up, loudly (network,
	// reason); LedgersUnfinished is the scheduled ledgers not yet complete
	// (network); LedgersCompleted the ledger up to which all are.
	LedgersRedriven   *prometheus.CounterVec
	LedgersLost       *prometheus.CounterVec
	LedgersUnfinished *prometheus.GaugeVec
	LedgersCompleted  *prometheus.GaugeVec
	// DeliveriesRequeued counts pending notifications whose deliver task
	// was gone from Redis (network, outcome: requeued, or unrecoverable
	// when the record keeps no payload to rebuild it from).
	DeliveriesRequeued *prometheus.CounterVec
	// PayloadsNotKept counts notifications whose delivery record keeps no
	// payload for a later resend (reason: over_max_payload_bytes, or
	// over_max_storage_mb for a tenant over its storage cap).
	PayloadsNotKept *prometheus.CounterVec

	// Per-tenant series (label tenant): nil unless WithTenantLabels. Count
	// through the Tenant* methods, which skip them when nil.
	TenantEvaluations  *prometheus.CounterVec
	TenantMatches      *prometheus.CounterVec
	TenantDeliveries   *prometheus.CounterVec
	TenantScriptMs     *prometheus.CounterVec
	TenantConfigErrors *prometheus.CounterVec

	Live Live // the live event stream (live.go)
}

// Option configures New.
type Option func(*options)

type options struct{ tenantLabels bool }

// WithTenantLabels registers and counts the per-tenant series
// (oz_monitor_tenant_*_total{tenant}) when on. One series per tenant and
// family: leave it off for large fleets.
func WithTenantLabels(on bool) Option { return func(o *options) { o.tenantLabels = on } }

// New creates and registers every instrument on a fresh registry.
func New(opts ...Option) *Metrics {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	r := prometheus.NewRegistry()
	m := &Metrics{Registry: r}
	m.WorkerCount = prometheus.NewGauge(prometheus.GaugeOpts{Name: "oz_monitor_worker_count", Help: "Active workers (asynq servers) in this process."})
	m.TenantCount = prometheus.NewGauge(prometheus.GaugeOpts{Name: "oz_monitor_tenant_count", Help: "Active tenants loaded by this worker."})
	m.RPCCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_rpc_calls_total", Help: "RPC calls by network, method and outcome."}, []string{"network", "method", "outcome"})
	m.CacheRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_cache_requests_total", Help: "Block cache lookups."}, []string{"layer"})
	m.CacheHits = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_cache_hits_total", Help: "Block cache hits."}, []string{"layer"})
	m.CacheMisses = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_cache_misses_total", Help: "Block cache misses."}, []string{"layer"})
	m.BlockProcessing = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "oz_monitor_block_processing_duration_seconds", Help: "Time to process a ledger, by network and stage (fetch, evaluate).", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"network", "stage"})
	m.LedgersBehind = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "oz_monitor_blocks_behind", Help: "Ledgers between the confirmed tip and the scheduler cursor."}, []string{"network"})
	m.LedgersEnqueued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_ledgers_enqueued_total", Help: "fetch-block tasks enqueued by the scheduler."}, []string{"network"})
	m.EmptySlots = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_empty_slots_total", Help: "Slots fetched that hold no block (Solana skipped slots: JSON-RPC -32007/-32009 or a null block)."}, []string{"network"})
	m.LedgersSkipped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_ledgers_skipped_total", Help: "Ledgers the scheduler did not enqueue (beyond max_past_blocks)."}, []string{"network", "reason"})
	m.EndToEnd = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "oz_monitor_ledger_to_delivery_seconds", Help: "From a ledger's close to its notification accepted by the receiver.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 12)}, []string{"network"})
	m.Matches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_matches_total", Help: "Monitor matches found."}, []string{"network"})
	m.Deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_deliveries_total", Help: "Notification attempts by channel and outcome."}, []string{"channel", "outcome"})
	m.Evaluations = prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_evaluations_total", Help: "Tenants evaluated against a ledger (all tenants)."})
	m.ScriptMs = prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_script_milliseconds_total", Help: "Trigger-condition script run time (all tenants)."})
	m.ConfigErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_config_errors_total", Help: "Broken tenant config items skipped (all tenants)."})
	m.Reorgs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_reorged_blocks_total", Help: "Processed blocks later replaced by a chain reorganisation."}, []string{"network"})
	m.OrphanedDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_orphaned_deliveries_total", Help: "Deliveries whose block a reorganisation replaced (flagged in the delivery log)."}, []string{"network"})
	m.LedgersRedriven = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_ledgers_redriven_total", Help: "Ledgers scheduled again because their tasks were lost from Redis (or, with recovery_config, archived)."}, []string{"network"})
	m.LedgersLost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_ledgers_given_up_total", Help: "Unfinished ledgers given up after the re-drive limits (logged with the ledger)."}, []string{"network", "reason"})
	m.LedgersUnfinished = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "oz_monitor_ledgers_unfinished", Help: "Scheduled ledgers not yet complete (fetched, evaluated, every deliver task enqueued), as last seen by the scheduler."}, []string{"network"})
	m.LedgersCompleted = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "oz_monitor_ledger_completed", Help: "The ledger up to which every scheduled ledger is complete."}, []string{"network"})
	r.MustRegister(m.WorkerCount, m.TenantCount, m.RPCCalls, m.CacheRequests, m.CacheHits, m.CacheMisses, m.BlockProcessing, m.LedgersBehind, m.LedgersEnqueued, m.LedgersSkipped, m.EmptySlots, m.EndToEnd, m.Matches, m.Deliveries, m.Evaluations, m.ScriptMs, m.ConfigErrors, m.Reorgs, m.OrphanedDeliveries,
		m.LedgersRedriven, m.LedgersLost, m.LedgersUnfinished, m.LedgersCompleted)
	m.DeliveriesRequeued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_deliveries_requeued_total", Help: "Pending notifications whose deliver task was gone from Redis, by outcome: requeued from the delivery log, or unrecoverable (no payload kept)."}, []string{"network", "outcome"})
	m.PayloadsNotKept = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_payloads_not_kept_total", Help: "Notifications sent whose delivery record keeps no payload for a resend, by reason (over_max_payload_bytes, over_max_storage_mb)."}, []string{"reason"})
	r.MustRegister(m.DeliveriesRequeued, m.PayloadsNotKept)
	if o.tenantLabels {
		m.TenantEvaluations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_tenant_evaluations_total", Help: "Per-tenant cost: ledger evaluations."}, []string{"tenant"})
		m.TenantMatches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_tenant_matches_total", Help: "Per-tenant cost: matches."}, []string{"tenant"})
		m.TenantDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_tenant_deliveries_total", Help: "Per-tenant cost: deliveries."}, []string{"tenant"})
		m.TenantScriptMs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_tenant_script_milliseconds_total", Help: "Per-tenant cost: script run time."}, []string{"tenant"})
		m.TenantConfigErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "oz_monitor_tenant_config_errors_total", Help: "Broken tenant config items skipped, per tenant."}, []string{"tenant"})
		r.MustRegister(m.TenantEvaluations, m.TenantMatches, m.TenantDeliveries, m.TenantScriptMs, m.TenantConfigErrors)
	}
	m.Live = newLive(r)
	return m
}
