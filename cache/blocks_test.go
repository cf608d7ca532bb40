package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func sampleBlock(network string, ledger uint64) *chain.Block {
	return &chain.Block{
		Chain: chain.Stellar, Network: network, Ledger: ledger, Hash: "ab12",
		CloseTime: time.Unix(1735440610, 0).UTC(), ProtocolVersion: 23,
		Transactions: []chain.Transaction{{
			Hash: "ff00", Index: 1, Success: true, FeeCharged: 100, Source: "GABC",
			Operations: []chain.Operation{{Type: chain.OpInvokeContract, Name: "invoke_host_function", Call: &chain.Call{
				Contract: "CDLZ", Function: "transfer",
				Args: []chain.Value{chain.Address("GA"), chain.Address("GB"), chain.I128(-1, 1<<63+5), chain.U256(1, 0, 0, 0)},
			}}},
			Events: []chain.Event{{Contract: "CDLZ", Topics: []chain.Value{chain.Symbol("transfer")}, Data: chain.Map(chain.MapEntry{Key: chain.Symbol("amount"), Val: chain.I128(0, 7)}), TxIndex: 1}},
		}},
	}
}

func TestPutGetThroughRedis(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	ctx := context.Background()
	writer, err := cache.New(rdb, cache.WithKeyPrefix("t1"))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	reader, _ := cache.New(rdb, cache.WithKeyPrefix("t1"), cache.WithMetrics(m)) // another pod: empty LRU
	want := sampleBlock("stellar_testnet", 9)
	if _, err := reader.Get(ctx, "stellar_testnet", 9); !errors.Is(err, cache.ErrMiss) {
		t.Fatalf("Get before Put = %v, want ErrMiss", err)
	}
	if err := writer.Put(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := reader.Get(ctx, "stellar_testnet", 9)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Transactions[0].Operations[0].Call.Args) != fmt.Sprint(want.Transactions[0].Operations[0].Call.Args) ||
		got.Transactions[0].Events[0].Data.OZJSON() != `{"amount":{"type":"I128","value":"7"}}` || !got.CloseTime.Equal(want.CloseTime) {
		t.Fatalf("round trip changed the block: %+v", got.Transactions[0])
	}
	if ttl := rdb.TTL(ctx, reader.BlockKey("stellar_testnet", 9)).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("block TTL = %s, want the 60 s default", ttl)
	}
	// Second read is served by the LRU: the redis layer is not asked again.
	if _, err := reader.Get(ctx, "stellar_testnet", 9); err != nil {
		t.Fatal(err)
	}
	if hits := testutil.ToFloat64(m.CacheHits.WithLabelValues("lru")); hits != 1 {
		t.Fatalf("lru hits = %v, want 1", hits)
	}
	if hits := testutil.ToFloat64(m.CacheHits.WithLabelValues("redis")); hits != 1 {
		t.Fatalf("redis hits = %v, want 1", hits)
	}
}

func TestCorruptEntryIsAMiss(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	ctx := context.Background()
	c, _ := cache.New(rdb, cache.WithLRUSize(0))
	rdb.Set(ctx, c.BlockKey("n", 1), "garbage", time.Minute)
	if _, err := c.Get(ctx, "n", 1); !errors.Is(err, cache.ErrMiss) {
		t.Fatalf("corrupt entry: err = %v, want ErrMiss", err)
	}
	if n := rdb.Exists(ctx, c.BlockKey("n", 1)).Val(); n != 0 {
		t.Fatal("corrupt entry was not removed")
	}
}

func TestGetOrFetchFetchesOnceAcrossPods(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	var calls atomic.Int32
	fetch := func(context.Context) (*chain.Block, error) {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond) // hold the lock while others arrive
		return sampleBlock("n", 5), nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for pod := 0; pod < 4; pod++ {
		c, _ := cache.New(rdb, cache.WithKeyPrefix("pods"))
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				b, err := c.GetOrFetch(ctx, "n", 5, fetch)
				if err == nil && b.Ledger != 5 {
					err = fmt.Errorf("got ledger %d", b.Ledger)
				}
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetch called %d times across 4 pods x 4 goroutines, want 1", n)
	}
}

func TestGetOrFetchErrorReleasesLock(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	c, _ := cache.New(rdb)
	ctx := context.Background()
	boom := errors.New("rpc down")
	if _, err := c.GetOrFetch(ctx, "n", 6, func(context.Context) (*chain.Block, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the fetch error", err)
	}
	b, err := c.GetOrFetch(ctx, "n", 6, func(context.Context) (*chain.Block, error) { return sampleBlock("n", 6), nil })
	if err != nil || b.Ledger != 6 {
		t.Fatalf("retry after a failed fetch = %v, %v (lock not released?)", b, err)
	}
}

func TestLatest(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	c, _ := cache.New(rdb)
	ctx := context.Background()
	if _, err := c.Latest(ctx, "n"); !errors.Is(err, cache.ErrMiss) {
		t.Fatalf("Latest before Set = %v", err)
	}
	if err := c.SetLatest(ctx, "n", 77); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Latest(ctx, "n"); err != nil || n != 77 {
		t.Fatalf("Latest = %d, %v", n, err)
	}
}
