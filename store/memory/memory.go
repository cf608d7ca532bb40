// Package memory is an in-process store.Store: tenants, networks, cursors
// and delivery records held in maps. `ozmon dev` fills it from a config
// directory; tests use it where PostgreSQL is not the subject.
package memory

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Store implements store.Store in memory. Safe for concurrent use.
type Store struct {
	mu         sync.Mutex
	tenants    map[string]*store.TenantConfig
	networks   map[string]store.NetworkEndpoints
	cursors    map[string]uint64
	deliveries map[store.DeliveryKey]*store.Delivery
	watchers   []chan string
	progress   map[string]*networkProgress
	redisMarks map[string]int64
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{tenants: map[string]*store.TenantConfig{}, networks: map[string]store.NetworkEndpoints{},
		cursors: map[string]uint64{}, deliveries: map[store.DeliveryKey]*store.Delivery{}, progress: map[string]*networkProgress{}, redisMarks: map[string]int64{}}
}

// PutTenant adds or replaces a tenant and its configuration, and tells
// watchers. problems are reported by TenantConfig as a loader found them.
// cfg goes through the one validation (ozconfig.Config.ValidateEach), as
// every store's configuration does: each item it refuses is left out and
// reported among the problems, so readers need not check again.
func (s *Store) PutTenant(t store.Tenant, cfg *ozconfig.Config, problems ...error) {
	if cfg == nil {
		cfg = &ozconfig.Config{}
	}
	if t.Tier == "" {
		t.Tier = tasks.TierDefault
	}
	problems = slices.Clip(problems) // appending must not write into the caller's array
	cfg.ValidateEach("tenant "+t.Slug, func(kind, key string, err error) {
		if kind == "" {
			kind = "tenant"
		}
		problems = append(problems, &store.ItemError{Tenant: t.Slug, Table: kind, Name: key, Err: err})
	})
	s.mu.Lock()
	s.tenants[t.ID] = &store.TenantConfig{Tenant: t, Config: cfg, Problems: problems}
	ws := slices.Clone(s.watchers)
	s.mu.Unlock()
	notify(ws, t.ID)
}

// RemoveTenant deletes a tenant and tells watchers.
func (s *Store) RemoveTenant(id string) {
	s.mu.Lock()
	delete(s.tenants, id)
	ws := slices.Clone(s.watchers)
	s.mu.Unlock()
	notify(ws, id)
}

func notify(ws []chan string, id string) {
	for _, w := range ws {
		w <- id
	}
}

// PutNetwork adds or replaces an operator network.
func (s *Store) PutNetwork(n store.NetworkEndpoints) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.networks[n.Slug] = n
}

// Tenants implements store.TenantSource.
func (s *Store) Tenants(context.Context) ([]store.Tenant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]store.Tenant, 0, len(s.tenants))
	for _, tc := range s.tenants {
		if tc.Tenant.Active {
			out = append(out, tc.Tenant)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

// TenantConfig implements store.TenantSource.
func (s *Store) TenantConfig(_ context.Context, id string) (*store.TenantConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tc, ok := s.tenants[id]
	if !ok {
		return nil, fmt.Errorf("tenant %s: %w", id, store.ErrNotFound)
	}
	cp := *tc
	return &cp, nil
}

// Networks implements store.NetworkRegistry.
func (s *Store) Networks(context.Context) ([]store.NetworkEndpoints, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]store.NetworkEndpoints, 0, len(s.networks))
	for _, n := range s.networks {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

// Cursor implements store.CursorStore.
func (s *Store) Cursor(_ context.Context, network string) (uint64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.cursors[network]
	return n, ok, nil
}

// AdvanceCursor implements store.CursorStore; it never moves backwards.
func (s *Store) AdvanceCursor(_ context.Context, network string, ledger uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.cursors[network]; !ok || ledger > cur {
		s.cursors[network] = ledger
	}
	return nil
}

// WatchChanges implements store.ChangeWatcher.
func (s *Store) WatchChanges(ctx context.Context, fn func(tenantID string)) error {
	ch := make(chan string, 64)
	s.mu.Lock()
	s.watchers = append(s.watchers, ch)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.watchers = slices.DeleteFunc(s.watchers, func(c chan string) bool { return c == ch })
		s.mu.Unlock()
		// Drain so a concurrent notify never blocks on us.
		for {
			select {
			case <-ch:
			default:
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil // as store/postgres: the end of ctx is not a failure
		case id := <-ch:
			fn(id)
		}
	}
}

// maxListed caps ListDeliveries, as store.DeliveryFilter documents.
const maxListed = 1000

// checkKey refuses a key the delivery log cannot identify a notification by.
func checkKey(key store.DeliveryKey) error {
	if key.TenantID == "" || key.Monitor == "" || key.Network == "" || key.Trigger == "" {
		return fmt.Errorf("delivery %s: tenant, monitor, network and trigger are required: %w", key, store.ErrInvalid)
	}
	return nil
}

// BeginDelivery implements store.DeliveryLog.
func (s *Store) BeginDelivery(_ context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	if err := checkKey(key); err != nil {
		return store.Delivery{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	d, ok := s.deliveries[key]
	var prev store.DeliveryStatus
	if ok {
		prev = d.Status
	} else {
		d = &store.Delivery{Key: key, TaskID: taskID, Status: store.DeliveryPending, Channel: channel, FirstAttemptAt: &now, CreatedAt: now}
		s.deliveries[key] = d
	}
	if d.Status != store.DeliveryDelivered {
		d.Attempts++
		d.Status = store.DeliverySending
		d.TaskID, d.Channel = taskID, channel
		d.UpdatedAt = now
	}
	out := *d
	out.Previous = prev
	return out, nil
}

// FinishDelivery implements store.DeliveryLog; delivered is final. A
// record that was never begun is not found, and pending is no outcome.
func (s *Store) FinishDelivery(_ context.Context, key store.DeliveryKey, status store.DeliveryStatus, lastError string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if !status.Valid() || status == store.DeliveryPending {
		return fmt.Errorf("delivery %s: status %.200q is not an outcome: %w", key, status, store.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[key]
	if !ok {
		return fmt.Errorf("finish delivery %s: %w", key, store.ErrNotFound)
	}
	if d.Status == store.DeliveryDelivered {
		return nil
	}
	now := time.Now()
	d.Status, d.LastError, d.UpdatedAt = status, lastError, now
	if status == store.DeliveryDelivered {
		d.DeliveredAt = &now
	}
	return nil
}

// ListDeliveries implements store.DeliveryLog.
func (s *Store) ListDeliveries(_ context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, fmt.Errorf("list deliveries: unknown status %.200q: %w", f.Status, store.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Delivery
	for _, d := range s.deliveries {
		switch {
		case f.TenantID != "" && d.Key.TenantID != f.TenantID,
			f.Monitor != "" && d.Key.Monitor != f.Monitor,
			f.TaskID != "" && d.TaskID != f.TaskID,
			f.Status != "" && d.Status != f.Status,
			!f.Since.IsZero() && d.CreatedAt.Before(f.Since),
			!f.Until.IsZero() && !d.CreatedAt.Before(f.Until),
			f.After != nil && !f.After.Precedes(store.PositionOf(*d)):
			continue
		}
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return store.PositionOf(out[i]).Precedes(store.PositionOf(out[j])) })
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 100
	case limit > maxListed:
		limit = maxListed
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ResetDelivery makes a delivery sendable again, also one already
// delivered (a forced resend).
func (s *Store) ResetDelivery(_ context.Context, key store.DeliveryKey) error {
	if err := checkKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[key]
	if !ok {
		return fmt.Errorf("delivery %s: %w", key, store.ErrNotFound)
	}
	d.Status, d.LastError, d.DeliveredAt, d.UpdatedAt = store.DeliveryFailed, "reset for a forced resend", nil, time.Now()
	return nil
}

// FlagOrphaned implements store.OrphanFlagger.
func (s *Store) FlagOrphaned(_ context.Context, network string, ledger uint64, canonicalTxs []string) (int, error) {
	keep := make(map[string]bool, len(canonicalTxs))
	for _, h := range canonicalTxs {
		keep[h] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, d := range s.deliveries {
		if k.Network == network && k.Ledger == ledger && !keep[k.TxHash] && !d.Orphaned {
			d.Orphaned = true
			n++
		}
	}
	return n, nil
}
