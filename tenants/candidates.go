package tenants

import (
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/tasks"
)

// Candidate is a tenant whose monitors could match a block: those watching
// a contract the block touches, plus its address-less ones.
type Candidate struct {
	TenantID string
	Tier     tasks.Tier
	Monitors []*monitor.CompiledMonitor
}

// Candidates returns the tenants a block of network concerns, sorted by
// id, each with its tier, so a caller needs no lookup per tenant. It is
// nil for a network not served, never nil (possibly empty) for one served.
func (ts *Registry) Candidates(network string, b *chain.Block) []Candidate {
	ix := ts.Index(network)
	if ix == nil {
		return nil
	}
	tms := ix.Candidates(b)
	out := make([]Candidate, 0, len(tms))
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	for _, tm := range tms {
		tier := tasks.TierDefault // removed since the index was read
		if t, ok := ts.tenants[tm.TenantID]; ok {
			tier = t.Tier
		}
		out = append(out, Candidate{TenantID: tm.TenantID, Tier: tier, Monitors: tm.Monitors})
	}
	return out
}
