package cache_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/redis/go-redis/v9"
)

// Fetch a ledger once, however many workers ask for it: the first takes
// the lock and fetches, the rest read the cache.
func ExampleBlocks_GetOrFetch() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		panic(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	blocks, _ := cache.New(rdb)
	fetches := 0
	fetch := func(context.Context) (*chain.Block, error) {
		fetches++
		return &chain.Block{Chain: chain.Stellar, Network: "stellar_testnet", Ledger: 42, Hash: "ab"}, nil
	}
	for range 3 {
		b, _ := blocks.GetOrFetch(context.Background(), "stellar_testnet", 42, fetch)
		fmt.Println(b.Ledger, b.Hash)
	}
	fmt.Println("fetches:", fetches)
	// Output:
	// 42 ab
	// 42 ab
	// 42 ab
	// fetches: 1
}
