package api

import (
	"context"
	"fmt"
)

// Networks lists the operator's registry with each network's progress.
// Only what a tenant may see is returned: never the RPC URLs.
func (r *queryResolver) Networks(ctx context.Context) ([]Network, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	list, err := r.o.store.Networks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	out := make([]Network, 0, len(list))
	for _, n := range list {
		if n.Config == nil {
			continue
		}
		st := &NetworkStatus{Problems: []string{}}
		ledger, ok, err := r.o.store.Cursor(ctx, n.Slug)
		if err != nil {
			return nil, fmt.Errorf("read progress of network %s: %w", n.Slug, err)
		}
		if ok {
			l := int(ledger)
			st.LastLedger = &l
		}
		out = append(out, Network{Slug: n.Slug, Name: n.Config.Name, NetworkType: string(n.Config.NetworkType),
			ConfirmationBlocks: int(n.Config.ConfirmationBlocks), CronSchedule: n.Config.CronSchedule, Status: st})
	}
	return out, nil
}
