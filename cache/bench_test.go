package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/network"
)

func mainnetBlocks(b *testing.B) []*chain.Block {
	dir := testkit.SharedPath(b, "testdata", "stellar", "mainnet")
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var out []*chain.Block
	for _, e := range entries {
		data, err := stellar.ReadLedgerFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		blk, err := stellar.DecodeLedgerXDR("stellar_mainnet", network.PublicNetworkPassphrase, data)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, blk)
	}
	return out
}

// BenchmarkBlockRoundTrip stores and reads back real mainnet ledgers
// through Redis (the LRU disabled so every Get decodes), reporting the
// encoded size per ledger.
func BenchmarkBlockRoundTrip(b *testing.B) {
	blocks := mainnetBlocks(b)
	rdb := testkit.RedisClient(b)
	c, err := cache.New(rdb, cache.WithLRUSize(0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var bytes int64
	for _, blk := range blocks {
		if err := c.Put(ctx, blk); err != nil {
			b.Fatal(err)
		}
		n, _ := rdb.StrLen(ctx, c.BlockKey(blk.Network, blk.Ledger)).Result()
		bytes += n
	}
	mem := int64(0)
	for _, blk := range blocks {
		m, _ := rdb.MemoryUsage(ctx, c.BlockKey(blk.Network, blk.Ledger)).Result()
		mem += m
	}
	sizes := func(b *testing.B) {
		b.ReportMetric(float64(bytes)/float64(len(blocks)), "stored-bytes/ledger")
		b.ReportMetric(float64(mem)/float64(len(blocks)), "redis-mem-bytes/ledger")
	}
	b.Run("put", func(b *testing.B) {
		defer sizes(b)
		i := 0
		for b.Loop() {
			if err := c.Put(ctx, blocks[i%len(blocks)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("get", func(b *testing.B) {
		defer sizes(b)
		i := 0
		for b.Loop() {
			blk := blocks[i%len(blocks)]
			if _, err := c.Get(ctx, blk.Network, blk.Ledger); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
