package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/envelope"
)

// Store is the PostgreSQL implementation of store.Store, plus the write
// helpers the import and admin commands use.
type Store struct {
	pool      *pgxpool.Pool
	ownsPool  bool
	log       *slog.Logger
	channel   string
	reload    time.Duration
	connectTO time.Duration
	keys      *envelope.Keyring // nil: secrets are written and read as given
	plainOnce sync.Once         // warns of plaintext secrets once
	limits    ozconfig.Limits
	// maxPayload caps a delivery record's payload (WithMaxPayloadBytes).
	maxPayload int

	// Delivery records are written in groups (groupcommit.go).
	begins   *groupCommit[beginItem, store.Delivery]
	finishes *groupCommit[finishItem, struct{}]

	// over caches the tenants measured over max_storage_mb (storage_cap.go).
	over overCache
}

var _ store.Store = (*Store)(nil)

// defaultMaxConns matches a worker's default concurrency of 50 tasks, of
// which most hold a connection only briefly.
const defaultMaxConns = 32

// Open connects to the database at url (a postgres:// URL or a
// keyword/value string) and checks that it answers. Errors name the
// database with its password redacted. Pool settings come from the URL
// (pool_max_conns, pool_max_conn_lifetime, … as pgxpool reads them);
// without pool_max_conns the pool holds up to defaultMaxConns connections.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pw := urlPassword(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database URL %s: %w", redactURL(url), scrub(err, pw))
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (4, or the CPU count) starves a worker whose
		// 50 concurrent deliveries each write a record: the pool, not
		// PostgreSQL, became the bottleneck (p99 100 ms in benchmarks).
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool for %s: %w", redactURL(url), scrub(err, pw))
	}
	pingCtx, cancel := context.WithTimeout(ctx, o.connectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		if errors.Is(pingCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("postgres: connect to %s: no answer within %s: %w", redactURL(url), o.connectTimeout, scrub(err, pw))
		}
		return nil, fmt.Errorf("postgres: connect to %s: %w", redactURL(url), scrub(err, pw))
	}
	s := newStore(pool, o)
	s.ownsPool = true
	return s, nil
}

func newStore(pool *pgxpool.Pool, o options) *Store {
	s := &Store{pool: pool, log: o.logger, channel: o.channel, reload: o.reloadInterval, connectTO: o.connectTimeout, keys: o.keys, limits: o.limits, maxPayload: o.maxPayload}
	s.begins = &groupCommit[beginItem, store.Delivery]{maxBatch: deliveryBatch, maxFlights: deliveryFlights,
		timeout: deliveryWriteTimeout, key: beginItem.groupKey, one: s.beginOne, batch: s.beginBatch}
	s.finishes = &groupCommit[finishItem, struct{}]{maxBatch: deliveryBatch, maxFlights: deliveryFlights,
		timeout: deliveryWriteTimeout, key: finishItem.groupKey, one: s.finishOne, batch: s.finishBatch}
	return s
}

// Pool returns the underlying pool, for callers that share it.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// notifyChannel is the LISTEN/NOTIFY channel this store writes (Migrate)
// and listens on (WatchChanges).
func (s *Store) notifyChannel() string { return s.channel }

// Close closes the pool if Open created it.
func (s *Store) Close() {
	if s.ownsPool {
		s.pool.Close()
	}
}
