package auth

import (
	"sync"
	"time"
)

// boundedCache maps keys to values valid until a deadline, holding at most
// max entries. When full, an arbitrary entry (Go's map order) makes room:
// O(1), and a flood of new keys cannot grow memory.
type boundedCache[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]cached[V]
}

type cached[V any] struct {
	v     V
	until time.Time
}

func newBoundedCache[K comparable, V any](max int) *boundedCache[K, V] {
	return &boundedCache[K, V]{max: max, m: make(map[K]cached[V])}
}

// get returns the entry for k, and whether it is still fresh at now. A
// stale entry is returned too: a key's re-check uses its stored hash.
func (c *boundedCache[K, V]) get(k K, now time.Time) (v V, fresh, found bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok {
		return v, false, false
	}
	return e.v, now.Before(e.until), true
}

func (c *boundedCache[K, V]) put(k K, v V, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = cached[V]{v: v, until: until}
}

func (c *boundedCache[K, V]) del(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

func (c *boundedCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
