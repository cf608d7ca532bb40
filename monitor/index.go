package monitor

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ozmon/ozmon/chain"
)

// Index finds, for one network, the monitors of every tenant that could
// match a ledger, in time proportional to the contracts the ledger touches
// rather than to the number of monitors. Monitors with function or event
// conditions are keyed by their (normalized) contract addresses; monitors
// that must see every transaction (transaction-only or condition-less:
// Stellar has no address gate for them) are kept apart. EVM monitors are
// all keyed by their addresses, which an EVM block matches through its
// senders, recipients and log emitters (the address gate of
// docs/compatibility.md#evm-matching). Paused
// monitors and monitors of other networks are left out.
//
// Tenants are replaced one at a time (SetTenant, RemoveTenant) at a cost
// proportional to that tenant's monitors. An Index is safe for concurrent
// use.
type Index struct {
	network string

	mu         sync.RWMutex
	tenants    map[string][]*CompiledMonitor      // tenant → indexed monitors, in given order
	byContract map[string]map[string][]indexEntry // contract → tenant → entries
	everyTx    map[string][]indexEntry            // tenant → monitors that see every transaction
	total      int
}

type indexEntry struct {
	pos int32 // position in the tenant's list, which orders the output
	cm  *CompiledMonitor
}

// TenantMonitors is one tenant's candidate monitors for a ledger, in the
// order the tenant's monitors were given to SetTenant.
type TenantMonitors struct {
	TenantID string
	Monitors []*CompiledMonitor
}

// NewIndex returns an empty index for the network (its slug).
func NewIndex(network string) *Index {
	return &Index{
		network:    network,
		tenants:    make(map[string][]*CompiledMonitor),
		byContract: make(map[string]map[string][]indexEntry),
		everyTx:    make(map[string][]indexEntry),
	}
}

// Network returns the network slug the index serves.
func (ix *Index) Network() string { return ix.network }

// SetTenant replaces every monitor of the tenant with monitors (all must
// belong to tenantID). Other tenants are untouched.
func (ix *Index) SetTenant(tenantID string, monitors []*CompiledMonitor) error {
	for _, cm := range monitors {
		if cm == nil {
			return fmt.Errorf("index %s: set tenant %s: nil monitor", ix.network, tenantID)
		}
		if cm.TenantID != tenantID {
			return fmt.Errorf("index %s: set tenant %s: monitor %q belongs to tenant %s", ix.network, tenantID, cm.Name, cm.TenantID)
		}
	}
	kept := make([]*CompiledMonitor, 0, len(monitors))
	for _, cm := range monitors {
		if cm.Paused || !cm.OnNetwork(ix.network) {
			continue
		}
		if !cm.everyTransaction() && len(cm.addrList) == 0 {
			continue // function/event conditions without addresses never match
		}
		kept = append(kept, cm)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(tenantID)
	if len(kept) == 0 {
		return nil
	}
	ix.tenants[tenantID] = kept
	ix.total += len(kept)
	for i, cm := range kept {
		e := indexEntry{pos: int32(i), cm: cm}
		if cm.seesEveryTx() {
			ix.everyTx[tenantID] = append(ix.everyTx[tenantID], e)
			continue
		}
		for _, a := range cm.addrList {
			byTenant := ix.byContract[a]
			if byTenant == nil {
				byTenant = make(map[string][]indexEntry, 1)
				ix.byContract[a] = byTenant
			}
			byTenant[tenantID] = append(byTenant[tenantID], e)
		}
	}
	return nil
}

// RemoveTenant drops every monitor of the tenant.
func (ix *Index) RemoveTenant(tenantID string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(tenantID)
}

func (ix *Index) removeLocked(tenantID string) {
	old, ok := ix.tenants[tenantID]
	if !ok {
		return
	}
	for _, cm := range old {
		for _, a := range cm.addrList {
			if byTenant := ix.byContract[a]; byTenant != nil {
				delete(byTenant, tenantID)
				if len(byTenant) == 0 {
					delete(ix.byContract, a)
				}
			}
		}
	}
	delete(ix.everyTx, tenantID)
	delete(ix.tenants, tenantID)
	ix.total -= len(old)
}

// Len returns the number of indexed monitors.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.total
}

// Tenant returns the tenant's indexed monitors (nil when none).
func (ix *Index) Tenant(tenantID string) []*CompiledMonitor {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.tenants[tenantID])
}

// Candidates returns, per tenant (sorted by tenant id), the monitors that
// could match the block: those watching a contract the block calls or
// hears from, and those that see every transaction. A block of another
// network has no candidates.
func (ix *Index) Candidates(b *chain.Block) []TenantMonitors {
	if b == nil || b.Network != ix.network {
		return nil
	}
	contracts := normalizedContracts(b)
	ix.mu.RLock()
	found := make(map[string][]indexEntry)
	for _, c := range contracts {
		for t, es := range ix.byContract[c] {
			found[t] = append(found[t], es...)
		}
	}
	for t, es := range ix.everyTx {
		found[t] = append(found[t], es...)
	}
	ix.mu.RUnlock()

	out := make([]TenantMonitors, 0, len(found))
	for t, es := range found {
		sort.Slice(es, func(i, j int) bool { return es[i].pos < es[j].pos })
		ms := make([]*CompiledMonitor, 0, len(es))
		for i, e := range es {
			if i > 0 && es[i-1].pos == e.pos {
				continue // watched through several touched contracts
			}
			ms = append(ms, e.cm)
		}
		out = append(out, TenantMonitors{TenantID: t, Monitors: ms})
	}
	slices.SortFunc(out, func(a, b TenantMonitors) int { return strings.Compare(a.TenantID, b.TenantID) })
	return out
}

// CandidatesOf is Candidates restricted to the given tenants (one batch of
// an evaluation task): it costs the block's contracts plus those tenants'
// monitors, whatever the size of the index. Unknown tenants and tenants
// without candidates are left out; the result is sorted by tenant id.
func (ix *Index) CandidatesOf(b *chain.Block, tenantIDs []string) []TenantMonitors {
	if b == nil || b.Network != ix.network || len(tenantIDs) == 0 {
		return nil
	}
	return ix.candidatesOf(touchedSet(b), tenantIDs)
}

// CandidatesOfPrepared is CandidatesOf on a prepared block, whose touched
// contracts are normalized once per ledger rather than once per batch: at
// 100,000 tenants a ledger has 500 batches. The batch's monitor lists
// share one backing array.
func (ix *Index) CandidatesOfPrepared(p *PreparedBlock, tenantIDs []string) []TenantMonitors {
	if p == nil || p.Block.Network != ix.network || len(tenantIDs) == 0 {
		return nil
	}
	return ix.candidatesOf(p.touched(), tenantIDs)
}

func touchedSet(b *chain.Block) map[string]struct{} {
	cs := normalizedContracts(b)
	touched := make(map[string]struct{}, len(cs))
	for _, c := range cs {
		touched[c] = struct{}{}
	}
	return touched
}

func (ix *Index) candidatesOf(touched map[string]struct{}, tenantIDs []string) []TenantMonitors {
	ids := tenantIDs
	if !slices.IsSorted(ids) {
		ids = slices.Sorted(slices.Values(tenantIDs))
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	// One backing array for the batch's lists, each clipped to its own
	// (when it grows, the lists made so far keep the old one).
	all := make([]*CompiledMonitor, 0, 4*len(ids))
	out := make([]TenantMonitors, 0, len(ids))
	for i, t := range ids {
		if i > 0 && ids[i-1] == t {
			continue
		}
		from := len(all)
		for _, cm := range ix.tenants[t] {
			if cm.seesEveryTx() {
				all = append(all, cm)
				continue
			}
			for _, a := range cm.addrList {
				if _, ok := touched[a]; ok {
					all = append(all, cm)
					break
				}
			}
		}
		if len(all) > from {
			out = append(out, TenantMonitors{TenantID: t, Monitors: all[from:len(all):len(all)]})
		}
	}
	return out
}

// TenantsFor returns the ids (sorted) of the tenants having at least one
// candidate monitor for the block: the only tenants worth evaluating it
// for.
func (ix *Index) TenantsFor(b *chain.Block) []string {
	if b == nil || b.Network != ix.network {
		return nil
	}
	contracts := normalizedContracts(b)
	set := make(map[string]struct{})
	ix.mu.RLock()
	for _, c := range contracts {
		for t := range ix.byContract[c] {
			set[t] = struct{}{}
		}
	}
	for t := range ix.everyTx {
		set[t] = struct{}{}
	}
	ix.mu.RUnlock()
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func normalizedContracts(b *chain.Block) []string {
	if b.Chain == chain.EVM {
		return evmBlockAddresses(b) // the address gate also looks at senders
	}
	cs := b.Contracts()
	for i, c := range cs {
		cs[i] = normalizeKey(c)
	}
	return cs
}
