package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/usage"
	"github.com/redis/go-redis/v9"
)

// BlockFetcher fetches and decodes one ledger of one network (for
// Stellar, chain/stellar.Source: one getLedgers call).
type BlockFetcher interface {
	FetchBlock(ctx context.Context, ledger uint64) (*chain.Block, error)
}

// ReceiptFetcher is a BlockFetcher whose blocks lack data that only some
// monitors need (EVM receipts: chain/evm.Source). The handlers attach them
// to a block when one of its candidate monitors needs them, before the
// block is cached.
type ReceiptFetcher interface {
	BlockFetcher
	AttachReceipts(ctx context.Context, b *chain.Block) error
}

// ConditionRunner runs a monitor's trigger_conditions script against a
// match; false vetoes the match. nil in Config means scripts are disabled.
type ConditionRunner interface {
	Allow(ctx context.Context, tenantID string, cond ozconfig.TriggerCondition, matchJSON []byte) (bool, error)
}

// Config is everything the handlers need; cmd/ozmon wires it. Client,
// Cache, Fetchers, Tenants and Deliveries are required; the rest have
// defaults or are optional.
type Config struct {
	Client     *asynq.Client
	Cache      *cache.Blocks
	Fetchers   map[string]BlockFetcher // by network slug
	Tenants    *tenants.Registry
	Engine     *monitor.Engine
	Deliveries store.DeliveryLog
	// ChannelOptions are passed to notify.New for every trigger (guard,
	// script policy, Telegram base URL in tests).
	ChannelOptions []notify.Option
	// RateLimiter paces each tenant's notifications (applied when the
	// deliver tasks are enqueued); nil means no limit.
	RateLimiter *notify.RateLimiter
	// DeliverRetention keeps each sent notification's task (the window
	// for a forced resend); 0 means the tasks package's default.
	DeliverRetention time.Duration
	// MaxPayloadBytes caps the compacted payload each delivery record
	// keeps for a resend once its task has left Redis (storage.max_payload_bytes;
	// 0: 64 KiB). A larger one is not kept, and said so in the log.
	MaxPayloadBytes int
	// NoCloseTimeWrites turns off writing each delivery record on its
	// ledger close time's partition (store.DeliveryLogAt, used when the
	// log supports it): records are then looked up in every partition.
	// On by default: a quarter to a third of the PostgreSQL CPU per
	// record on a year of weekly partitions (BenchmarkDeliveryRecords,
	// docs/storage.md).
	NoCloseTimeWrites bool
	// InDoubt is the policy for in-doubt notifications on channels that
	// carry no notification id (default InDoubtResend).
	InDoubt InDoubtPolicy
	// TenantInFlight and DestinationInFlight bound one tenant's and one
	// destination host's deliveries in flight in this worker (0: no bound);
	// past them a delivery waits InFlightWait for a slot, then is deferred.
	TenantInFlight, DestinationInFlight int
	InFlightWait                        time.Duration
	// StuckAfter is how long a tenant or host may go without a finished
	// send before its deliveries beyond the bound are deferred at once
	// (default 2 s: a slow endpoint is not a stuck one).
	StuckAfter time.Duration
	// OutcomeWriteTimeout bounds the retries of one outcome write (default
	// 10 s); past it the outcome is kept on the task.
	OutcomeWriteTimeout time.Duration
	// Progress, when set, records each ledger's batches and their
	// completion durably, so the scheduler can re-drive ledgers whose
	// tasks Redis lost.
	Progress   store.Progress
	Conditions ConditionRunner
	Activity   *Activity
	// Redis, when set, keeps each processed block's hash so parent links
	// are checked and chain reorganisations handled.
	Redis redis.UniversalClient

	// ConditionBudget is how long one tenant's trigger_conditions may run
	// in total per evaluate-tenants batch (default 30 s, the longest
	// timeout_ms a condition may have; never past the batch's deadline).
	// Matches whose conditions it leaves no time for are kept, not dropped.
	ConditionBudget time.Duration

	// Live, when set, publishes each match (once its notifications are
	// enqueued) and each recorded delivery outcome to the tenant's live
	// stream, best-effort; nil: no live stream.
	Live *live.Publisher

	// Usage, when set, meters each tenant's evaluations and delivery
	// outcomes for cost attribution (nil: not metered).
	Usage *usage.Meter

	// DefaultRegion is the region serving tenants without a home region
	// (regions.default_home; docs/multi-region.md). A region's lane
	// (tasks.Lane) fans out only to the tenants homed in its region.
	DefaultRegion string

	Strategy           Strategy
	MaxTenantsPerBatch int
	Metrics            *metrics.Metrics
	Log                *slog.Logger
}

// Handlers implements the three task types.
type Handlers struct {
	cfg      Config
	prepared *preparedCache
	channels sync.Map // channelKey → notify.Channel
	inflight *inflight
	insp     *asynq.Inspector    // reads outcomes kept on tasks; nil without Redis
	codec    *tasks.DeliverCodec // compacts payloads for the delivery log
	marks    *doneMarks          // batches' done records, group-written; nil without Progress
}

// New checks cfg and returns the handlers. A missing required dependency
// is refused by name, at start rather than at the first task.
func New(cfg Config) (*Handlers, error) {
	for _, req := range []struct {
		field   string
		missing bool
	}{
		{"Client", cfg.Client == nil},
		{"Cache", cfg.Cache == nil},
		{"Fetchers", cfg.Fetchers == nil},
		{"Tenants", cfg.Tenants == nil},
		{"Deliveries", cfg.Deliveries == nil},
	} {
		if req.missing {
			return nil, fmt.Errorf("handlers: Config.%s is required", req.field)
		}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	if cfg.MaxTenantsPerBatch <= 0 {
		cfg.MaxTenantsPerBatch = 200
	}
	if cfg.Strategy == "" {
		cfg.Strategy = ConsistentHashing
	}
	if cfg.Engine == nil {
		cfg.Engine = monitor.NewEngine(monitor.WithLogger(cfg.Log))
	}
	if cfg.InDoubt == "" {
		cfg.InDoubt = InDoubtResend
	}
	if cfg.InFlightWait <= 0 {
		cfg.InFlightWait = 100 * time.Millisecond
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = 2 * time.Second
	}
	if cfg.ConditionBudget <= 0 {
		cfg.ConditionBudget = time.Duration(ozconfig.MaxScriptTimeoutMs) * time.Millisecond
	}
	if cfg.OutcomeWriteTimeout <= 0 {
		cfg.OutcomeWriteTimeout = 10 * time.Second
	}
	if cfg.MaxPayloadBytes <= 0 {
		cfg.MaxPayloadBytes = 64 << 10
	}
	codec, err := tasks.NewDeliverCodec()
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	h := &Handlers{cfg: cfg, prepared: newPreparedCache(8), codec: codec}
	if cfg.Progress != nil {
		h.marks = &doneMarks{progress: cfg.Progress}
	}
	if cfg.TenantInFlight > 0 || cfg.DestinationInFlight > 0 {
		h.inflight = newInflight(cfg.TenantInFlight, cfg.DestinationInFlight, cfg.InFlightWait, cfg.StuckAfter)
	}
	if cfg.Redis != nil {
		h.insp = asynq.NewInspectorFromRedisClient(cfg.Redis)
	}
	return h, nil
}
