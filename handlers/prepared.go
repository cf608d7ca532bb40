package handlers

import (
	"fmt"
	"sync"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

// preparedCache keeps the engine's per-ledger preparation for the few
// ledgers a worker is evaluating, so the many batches of one ledger on one
// pod prepare it once.
type preparedCache struct {
	mu    sync.Mutex
	max   int
	order []string
	items map[string]*monitor.PreparedBlock
}

func newPreparedCache(n int) *preparedCache {
	return &preparedCache{max: n, items: map[string]*monitor.PreparedBlock{}}
}

func (c *preparedCache) get(e *monitor.Engine, b *chain.Block) (*monitor.PreparedBlock, error) {
	key := fmt.Sprintf("%s/%d/%s", b.Network, b.Ledger, b.Hash)
	c.mu.Lock()
	if p, ok := c.items[key]; ok {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	p, err := e.Prepare(b)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		c.items[key] = p
		c.order = append(c.order, key)
		if len(c.order) > c.max {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	return p, nil
}
