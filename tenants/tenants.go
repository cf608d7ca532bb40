package tenants

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Tenant is a worker's compiled view of one tenant. Its Tier is always
// one of the four: a store's empty or unknown tier loads as TierDefault.
type Tenant struct {
	store.Tenant
	Config   *ozconfig.Config
	Monitors []*monitor.CompiledMonitor
	// Problems are the tenant's config items that were skipped.
	Problems []error
}

// Registry keeps every active tenant compiled and indexed per network. A
// change to one tenant recompiles that tenant only; readers never block on
// a reload for long (the index swaps one tenant at a time).
type Registry struct {
	src      store.TenantSource
	specs    monitor.SpecSource
	networks map[string]bool // networks this deployment fetches
	log      *slog.Logger
	m        *metrics.Metrics

	// checkTrigger vets a trigger's destination when a tenant is loaded
	// (the validation half of the SSRF guard; sending checks again).
	checkTrigger func(context.Context, *ozconfig.Trigger) error
	// abis decodes EVM calls and logs (chain/evm's ABI cache); nil
	// leaves EVM monitors without decoders.
	abis monitor.ABISource
	// problemSink receives each load's problems (WithProblemSink).
	problemSink func(ctx context.Context, tenantID string, problems []error)

	mu      sync.RWMutex
	tenants map[string]*Tenant
	indexes map[string]*monitor.Index
	perTier map[tasks.Tier]int
}

// New returns an empty registry of the tenants in src; call Reload.
func New(src store.TenantSource, opts ...Option) *Registry {
	ts := &Registry{src: src, networks: map[string]bool{}, log: slog.Default(),
		tenants: map[string]*Tenant{}, indexes: map[string]*monitor.Index{}, perTier: map[tasks.Tier]int{}}
	for _, o := range opts {
		o(ts)
	}
	return ts
}

// Reload reloads every tenant: new ones are added, gone ones removed. A
// tenant whose store Version is unchanged and that loaded without problems
// is kept as it is: recompiling thousands of unchanged tenants on every
// reload interval would cost seconds of CPU. Tenants with problems are
// retried each time, as some problems pass (a contract spec the RPC could
// not serve, a DNS answer).
func (ts *Registry) Reload(ctx context.Context) error {
	list, err := ts.src.Tenants(ctx)
	if err != nil {
		return fmt.Errorf("reload tenants: %w", err)
	}
	seen := make(map[string]bool, len(list))
	var stale []string
	for _, t := range list {
		seen[t.ID] = true
		if !ts.current(t) {
			stale = append(stale, t.ID)
		}
	}
	if bulk, ok := ts.src.(store.BulkTenantSource); ok && len(stale) > 1 {
		ts.reloadBulk(ctx, bulk, stale)
	} else {
		for _, id := range stale {
			if err := ts.reloadTenant(ctx, id); err != nil {
				ts.log.Error("reload tenant", "tenant", id, "err", err)
			}
		}
	}
	ts.mu.RLock()
	var gone []string
	for id := range ts.tenants {
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	ts.mu.RUnlock()
	for _, id := range gone {
		ts.remove(id)
	}
	return nil
}

// bulkChunk is how many tenants one bulk load reads: large enough that
// a round trip is spread over many tenants, small enough that one chunk's
// rows (about 4 KB a tenant) stay a few megabytes.
const bulkChunk = 1000

// reloadBulk loads ids a chunk at a time, reading the next chunk from the
// store while this one compiles, so PostgreSQL and the compiler work side
// by side. A chunk that fails to load is retried tenant by tenant.
func (ts *Registry) reloadBulk(ctx context.Context, src store.BulkTenantSource, ids []string) {
	type chunk struct {
		ids []string
		tcs []*store.TenantConfig
		err error
	}
	loaded := make(chan chunk, 1)
	go func() {
		defer close(loaded)
		for start := 0; start < len(ids) && ctx.Err() == nil; start += bulkChunk {
			part := ids[start:min(start+bulkChunk, len(ids))]
			tcs, err := src.TenantConfigs(ctx, part)
			select {
			case loaded <- chunk{ids: part, tcs: tcs, err: err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for c := range loaded {
		if c.err != nil {
			ts.log.Warn("bulk tenant load failed; loading the chunk tenant by tenant", "tenants", len(c.ids), "err", c.err)
			for _, id := range c.ids {
				if err := ts.reloadTenant(ctx, id); err != nil {
					ts.log.Error("reload tenant", "tenant", id, "err", err)
				}
			}
			continue
		}
		found := make(map[string]bool, len(c.tcs))
		for _, tc := range c.tcs {
			found[tc.Tenant.ID] = true
			if err := ts.install(ctx, tc); err != nil {
				ts.log.Error("reload tenant", "tenant", tc.Tenant.ID, "err", err)
			}
		}
		for _, id := range c.ids {
			if !found[id] {
				ts.remove(id) // deleted since it was listed
			}
		}
	}
}

// current reports whether the loaded copy of t is up to date.
func (ts *Registry) current(t store.Tenant) bool {
	if t.Version == "" {
		return false
	}
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	have, ok := ts.tenants[t.ID]
	return ok && have.Version == t.Version && len(have.Problems) == 0
}

// reloadTenant recompiles one tenant. A tenant that is gone or inactive is
// removed. Broken monitors are reported (log, metric) and skipped; the
// tenant's other monitors keep working. The store's config has passed
// ozconfig's one validation already; only what depends on this deployment
// (networks served, trigger destinations) is checked here.
func (ts *Registry) reloadTenant(ctx context.Context, id string) error {
	tc, err := ts.src.TenantConfig(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		ts.remove(id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("load tenant %s: %w", id, err)
	}
	return ts.install(ctx, tc)
}

// install compiles a loaded tenant and swaps it into the registry and the
// indexes; an inactive one is removed.
func (ts *Registry) install(ctx context.Context, tc *store.TenantConfig) error {
	id := tc.Tenant.ID
	if !tc.Tenant.Active {
		ts.remove(id)
		return nil
	}
	t := &Tenant{Tenant: tc.Tenant, Config: tc.Config, Problems: append([]error(nil), tc.Problems...)}
	if !t.Tier.Valid() {
		t.Tier = tasks.TierDefault
	}
	names := make([]string, 0, len(tc.Config.Monitors))
	for name := range tc.Config.Monitors {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic evaluation order
	for _, name := range names {
		m := tc.Config.Monitors[name]
		if m.Paused {
			continue
		}
		var opts []monitor.CompileOption
		if ts.abis != nil {
			opts = append(opts, monitor.WithABISource(ts.abis))
		}
		if onlyMidnight(tc.Config, m) {
			// Midnight addresses of odd lengths do not tell their chain.
			opts = append(opts, monitor.WithNetworkType(ozconfig.NetworkMidnight))
		}
		cm, err := monitor.Compile(id, m, ts.specs, opts...)
		if err != nil {
			t.Problems = append(t.Problems, fmt.Errorf("monitor %q: %w", name, err))
			continue
		}
		for _, n := range m.Networks {
			if !ts.networks[n] {
				t.Problems = append(t.Problems, fmt.Errorf("monitor %q: network %q is not served by this deployment", name, n))
			}
		}
		t.Monitors = append(t.Monitors, cm)
	}
	if ts.checkTrigger != nil {
		keys := make([]string, 0, len(tc.Config.Triggers))
		for k := range tc.Config.Triggers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := ts.checkTrigger(ctx, tc.Config.Triggers[k]); err != nil {
				t.Problems = append(t.Problems, fmt.Errorf("trigger %q: %w", k, err))
			}
		}
	}
	for _, p := range t.Problems {
		ts.log.Warn("tenant config problem skipped", "tenant", id, "slug", tc.Tenant.Slug, "problem", p)
		if ts.m != nil {
			ts.m.TenantConfigError(id)
		}
	}
	if ts.problemSink != nil {
		ts.problemSink(ctx, id, t.Problems)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if old, ok := ts.tenants[id]; ok {
		ts.perTier[old.Tier]--
	}
	ts.tenants[id] = t
	ts.perTier[t.Tier]++
	ts.countLocked()
	for network, ix := range ts.indexes {
		var on []*monitor.CompiledMonitor
		for _, cm := range t.Monitors {
			if cm.OnNetwork(network) {
				on = append(on, cm)
			}
		}
		if len(on) == 0 {
			ix.RemoveTenant(id)
			continue
		}
		if err := ix.SetTenant(id, on); err != nil {
			return fmt.Errorf("index tenant %s on %s: %w", id, network, err)
		}
	}
	return nil
}

func (ts *Registry) remove(id string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if old, ok := ts.tenants[id]; ok {
		ts.perTier[old.Tier]--
		delete(ts.tenants, id)
	}
	ts.countLocked()
	for _, ix := range ts.indexes {
		ix.RemoveTenant(id)
	}
}

func (ts *Registry) countLocked() {
	if ts.m != nil {
		ts.m.TenantCount.Set(float64(len(ts.tenants)))
	}
}

// Get returns a tenant by id.
func (ts *Registry) Get(id string) (*Tenant, bool) {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	t, ok := ts.tenants[id]
	return t, ok
}

// Len is the number of active tenants.
func (ts *Registry) Len() int {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return len(ts.tenants)
}

// TierTotal is how many active tenants a tier has.
func (ts *Registry) TierTotal(t tasks.Tier) int {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return ts.perTier[t]
}

// Tiers returns the tiers that have at least one active tenant, highest
// first.
func (ts *Registry) Tiers() []tasks.Tier {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	var out []tasks.Tier
	for _, t := range tasks.Tiers() {
		if ts.perTier[t] > 0 {
			out = append(out, t)
		}
	}
	return out
}

// Index returns a network's monitor index (nil for a network not served).
func (ts *Registry) Index(network string) *monitor.Index {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return ts.indexes[network]
}

// Watch keeps the set fresh until ctx ends: instantly on the store's change
// notifications (when it has them) and by a full reload every interval.
func (ts *Registry) Watch(ctx context.Context, w store.ChangeWatcher, interval time.Duration) {
	if w != nil {
		go func() {
			for ctx.Err() == nil {
				err := w.WatchChanges(ctx, func(id string) {
					if err := ts.reloadTenant(ctx, id); err != nil {
						ts.log.Error("reload changed tenant", "tenant", id, "err", err)
					}
				})
				if ctx.Err() != nil {
					return
				}
				ts.log.Warn("config change watch ended; retrying", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	if w != nil {
		// A change made between the caller's first Reload and the moment
		// the watcher starts listening would be missed: one more full
		// reload shortly after listening began closes that window.
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if err := ts.Reload(ctx); err != nil {
			ts.log.Error("tenant reload after watch start", "err", err)
		}
	}
	if interval <= 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := ts.Reload(ctx); err != nil {
				ts.log.Error("periodic tenant reload", "err", err)
			}
		}
	}
}

// onlyMidnight reports whether every network the monitor names is a
// Midnight network of the tenant's configuration.
func onlyMidnight(c *ozconfig.Config, m *ozconfig.Monitor) bool {
	if c == nil || len(m.Networks) == 0 {
		return false
	}
	for _, slug := range m.Networks {
		if n := c.Networks[slug]; n == nil || n.NetworkType != ozconfig.NetworkMidnight {
			return false
		}
	}
	return true
}
