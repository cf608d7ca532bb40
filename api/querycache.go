package api

import (
	"context"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
)

// queryCache keeps parsed and validated queries, bounded by count and by
// query size: a client sending distinct (or huge) queries only evicts, it
// never grows memory.
type queryCache struct {
	mu    sync.Mutex
	max   int
	items map[string]*ast.QueryDocument
	order []string
}

func newQueryCache(max int) *queryCache {
	return &queryCache{max: max, items: map[string]*ast.QueryDocument{}}
}

func (c *queryCache) Get(_ context.Context, key string) (*ast.QueryDocument, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[key]
	return v, ok
}

// maxCachedQuery is the longest query text kept; longer ones are parsed
// each time (they are rare, and bounded by api.body_limit).
const maxCachedQuery = 16 << 10

func (c *queryCache) Add(_ context.Context, key string, v *ast.QueryDocument) {
	if len(key) > maxCachedQuery {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[key] = v
	c.order = append(c.order, key)
}
