package handlers

import "github.com/ozmon/ozmon/tenants"

// inRegion keeps the candidates whose home region is region (a tenant
// without one is the default region's): a region's lane serves only its
// own tenants, so each tenant is evaluated, and notified, by one region.
func (h *Handlers) inRegion(cands []tenants.Candidate, region string) []tenants.Candidate {
	out := cands[:0:0]
	for _, c := range cands {
		t, ok := h.cfg.Tenants.Get(c.TenantID)
		if !ok {
			continue // removed since the candidates were looked up
		}
		home := t.HomeRegion
		if home == "" {
			home = h.cfg.DefaultRegion
		}
		if home == region {
			out = append(out, c)
		}
	}
	return out
}
