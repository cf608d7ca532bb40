package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/ozmon/ozmon/chain"
	"time"

	"github.com/redis/go-redis/v9"
)

// unlockScript deletes the lock only if we still own it, so a lock that
// expired and was taken by another pod is not released by us.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Lock takes the cross-pod lock that guards refetching a block, for at most
// ttl. ok is false when another pod holds it; then the caller waits for the
// block to appear in the cache instead of calling the RPC itself.
func (c *Blocks) Lock(ctx context.Context, network string, ledger uint64, ttl time.Duration) (unlock func(), ok bool, err error) {
	var tok [12]byte
	_, _ = rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	key := c.BlockKey(network, ledger) + ":lock"
	ok, err = c.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("lock block %s/%d: %w", network, ledger, err)
	}
	if !ok {
		return nil, false, nil
	}
	return func() { unlockScript.Run(context.WithoutCancel(ctx), c.rdb, []string{key}, token) }, true, nil
}

// GetOrFetch returns the block from the cache or, on a miss, fetches it
// once across all pods: the pod that takes the lock calls fetch and stores
// the result; the others poll the cache until it appears (or the lock
// holder gives up, in which case one of them takes over).
func (c *Blocks) GetOrFetch(ctx context.Context, network string, ledger uint64, fetch func(context.Context) (*chain.Block, error)) (*chain.Block, error) {
	const lockTTL = 30 * time.Second
	wait := 20 * time.Millisecond
	for {
		b, err := c.Get(ctx, network, ledger)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, ErrMiss) {
			return nil, err
		}
		unlock, ok, err := c.Lock(ctx, network, ledger, lockTTL)
		if err != nil {
			return nil, err
		}
		if ok {
			defer unlock()
			// Another pod may have finished between our Get and our Lock.
			if b, err := c.get(ctx, network, ledger, false); err == nil {
				return b, nil
			}
			b, err := fetch(ctx)
			if err != nil {
				return nil, err
			}
			if err := c.Put(ctx, b); err != nil {
				return nil, err
			}
			return b, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for block %s/%d: %w", network, ledger, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 500*time.Millisecond {
			wait *= 2
		}
	}
}
