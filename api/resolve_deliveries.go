package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ozmon/ozmon/store"
)

// maxPage bounds `first` of a page.
const maxPage = 200

func (r *queryResolver) Deliveries(ctx context.Context, filter *DeliveryFilter, first *int, after *string) (*DeliveryConnection, error) {
	p, err := tenantCaller(ctx, "deliveries", canRead)
	if err != nil {
		return nil, err
	}
	n := 50
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxPage {
		return nil, badInput("deliveries: first is %d; give 1 to %d", n, maxPage)
	}
	f, err := storeFilter(p.TenantID, filter)
	if err != nil {
		return nil, err
	}
	if after != nil && *after != "" {
		pos, err := decodeCursor(*after, p.TenantID)
		if err != nil {
			return nil, err
		}
		f.After = &pos
	}
	// One more than asked tells whether there is a next page.
	f.Limit = n + 1
	list, err := r.o.store.ListDeliveries(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of tenant %s: %w", p.TenantID, err)
	}
	conn := &DeliveryConnection{Nodes: make([]Delivery, 0, min(n, len(list))), PageInfo: &PageInfo{}}
	if len(list) > n {
		list = list[:n]
		conn.PageInfo.HasNextPage = true
	}
	for _, d := range list {
		conn.Nodes = append(conn.Nodes, deliveryOf(d))
	}
	if conn.PageInfo.HasNextPage {
		c := encodeCursor(store.PositionOf(list[len(list)-1]))
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

// storeFilter is the store's filter for a tenant's GraphQL filter; the
// tenant always comes from the caller, never from the request.
func storeFilter(tenantID string, in *DeliveryFilter) (store.DeliveryFilter, error) {
	f := store.DeliveryFilter{TenantID: tenantID}
	if in == nil {
		return f, nil
	}
	if in.Monitor != nil {
		f.Monitor = *in.Monitor
	}
	if in.Status != nil {
		f.Status = store.DeliveryStatus(strings.ToLower(string(*in.Status)))
	}
	if in.Since != nil {
		f.Since = *in.Since
	}
	if in.Until != nil {
		f.Until = *in.Until
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, badInput("deliveries filter: since %s is not before until %s", f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	}
	return f, nil
}

func deliveryOf(d store.Delivery) Delivery {
	return Delivery{Monitor: d.Key.Monitor, Network: d.Key.Network, Ledger: int(d.Key.Ledger), TxHash: d.Key.TxHash,
		Trigger: d.Key.Trigger, Channel: d.Channel, Status: DeliveryStatus(strings.ToUpper(string(d.Status))),
		Attempts: d.Attempts, LastError: d.LastError, Orphaned: d.Orphaned, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt}
}
