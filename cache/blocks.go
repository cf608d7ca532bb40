package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/redis/go-redis/v9"
)

// ErrMiss means the block is in neither the in-process LRU nor Redis.
var ErrMiss = errors.New("block not cached")

// Blocks is the two-level block cache.
type Blocks struct {
	rdb       redis.UniversalClient
	prefix    string
	blockTTL  time.Duration
	latestTTL time.Duration
	lru       *lru[string, *chain.Block]
	codec     *codec
	m         *metrics.Metrics
}

// Option configures Blocks.
type Option func(*Blocks)

// WithKeyPrefix sets the Redis key prefix (default "oz_cache").
func WithKeyPrefix(p string) Option { return func(c *Blocks) { c.prefix = p } }

// WithBlockTTL sets how long a block stays in Redis (default 60 s).
func WithBlockTTL(d time.Duration) Option { return func(c *Blocks) { c.blockTTL = d } }

// WithLatestTTL sets how long the latest-ledger entry lives (default 5 s).
func WithLatestTTL(d time.Duration) Option { return func(c *Blocks) { c.latestTTL = d } }

// WithLRUSize sets how many blocks the in-process LRU keeps (default 32;
// 0 disables it).
func WithLRUSize(n int) Option { return func(c *Blocks) { c.lru = newLRU[string, *chain.Block](n) } }

// WithMetrics records hits, misses and requests per layer.
func WithMetrics(m *metrics.Metrics) Option { return func(c *Blocks) { c.m = m } }

// New returns a block cache on rdb.
func New(rdb redis.UniversalClient, opts ...Option) (*Blocks, error) {
	cd, err := newCodec()
	if err != nil {
		return nil, err
	}
	c := &Blocks{
		rdb: rdb, prefix: "oz_cache", blockTTL: 60 * time.Second, latestTTL: 5 * time.Second,
		lru: newLRU[string, *chain.Block](32), codec: cd,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BlockKey is the Redis key of a block: <prefix>:block:<network>:<ledger>.
func (c *Blocks) BlockKey(network string, ledger uint64) string {
	return c.prefix + ":block:" + network + ":" + strconv.FormatUint(ledger, 10)
}

// Put stores a block in Redis and the LRU. Blocks are treated as
// immutable afterwards.
func (c *Blocks) Put(ctx context.Context, b *chain.Block) error {
	data, err := c.codec.Encode(b)
	if err != nil {
		return err
	}
	key := c.BlockKey(b.Network, b.Ledger)
	if err := c.rdb.Set(ctx, key, data, c.blockTTL).Err(); err != nil {
		return fmt.Errorf("cache block %s/%d: %w", b.Network, b.Ledger, err)
	}
	c.lru.put(key, b)
	return nil
}

// Get returns a cached block, from the LRU if it is there, else from Redis
// (and then remembers it in the LRU). ErrMiss when neither has it.
func (c *Blocks) Get(ctx context.Context, network string, ledger uint64) (*chain.Block, error) {
	return c.get(ctx, network, ledger, true)
}

// get is Get; counted says whether the lookup shows in the metrics (a
// re-check under the fetch lock is not a request of its own).
func (c *Blocks) get(ctx context.Context, network string, ledger uint64, counted bool) (*chain.Block, error) {
	key := c.BlockKey(network, ledger)
	if b, ok := c.lru.get(key); ok {
		c.count(counted, "lru", true)
		return b, nil
	}
	c.count(counted, "lru", false)
	data, err := c.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		c.count(counted, "redis", false)
		return nil, ErrMiss
	}
	if err != nil {
		return nil, fmt.Errorf("read cached block %s/%d: %w", network, ledger, err)
	}
	b, err := c.codec.Decode(data)
	if err != nil {
		// A corrupt entry is a miss: the caller refetches and overwrites it.
		c.rdb.Del(ctx, key)
		c.count(counted, "redis", false)
		return nil, fmt.Errorf("%w: %s/%d: %v", ErrMiss, network, ledger, err)
	}
	c.count(counted, "redis", true)
	c.lru.put(key, b)
	return b, nil
}

// count records one lookup of a layer: a request, and a hit or a miss.
func (c *Blocks) count(counted bool, layer string, hit bool) {
	if c.m == nil || !counted {
		return
	}
	c.m.CacheRequests.WithLabelValues(layer).Inc()
	if hit {
		c.m.CacheHits.WithLabelValues(layer).Inc()
	} else {
		c.m.CacheMisses.WithLabelValues(layer).Inc()
	}
}

// SetLatest records the network's latest confirmed ledger for latestTTL.
func (c *Blocks) SetLatest(ctx context.Context, network string, ledger uint64) error {
	if err := c.rdb.Set(ctx, c.prefix+":latest:"+network, ledger, c.latestTTL).Err(); err != nil {
		return fmt.Errorf("cache latest ledger of %s: %w", network, err)
	}
	return nil
}

// Latest returns the cached latest ledger of a network, or ErrMiss.
func (c *Blocks) Latest(ctx context.Context, network string) (uint64, error) {
	n, err := c.rdb.Get(ctx, c.prefix+":latest:"+network).Uint64()
	if errors.Is(err, redis.Nil) {
		return 0, ErrMiss
	}
	if err != nil {
		return 0, fmt.Errorf("read latest ledger of %s: %w", network, err)
	}
	return n, nil
}
