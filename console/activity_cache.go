package console

import (
	"sync"
	"time"
)

// activityTTL is how long a tenant's 24-hour activity is reused: the
// sparklines are hourly, and reading 2,000 deliveries through the API
// on every view of the monitors page would cost it most of its time.
const activityTTL = 30 * time.Second

// maxActivityEntries bounds the cache; past it, expired entries go first,
// then everything.
const maxActivityEntries = 10000

// activityCache holds each tenant's recent activity. It is keyed by the
// tenant, not the caller: every role of a tenant may read its deliveries.
type activityCache struct {
	mu sync.Mutex
	m  map[string]activityEntry
}

type activityEntry struct {
	at        time.Time
	end       time.Time // the hour the counts end at
	data      map[string]*monitorActivity
	truncated bool
}

func (c *activityCache) get(tenant string, now, end time.Time) (activityEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[tenant]
	if !ok || now.Sub(e.at) > activityTTL || !e.end.Equal(end) {
		return activityEntry{}, false
	}
	return e, true
}

func (c *activityCache) put(tenant string, e activityEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]activityEntry{}
	}
	if len(c.m) >= maxActivityEntries {
		for k, old := range c.m {
			if e.at.Sub(old.at) > activityTTL {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxActivityEntries {
			clear(c.m)
		}
	}
	c.m[tenant] = e
}
