package api

import (
	"context"

	"github.com/ozmon/ozmon/store"
)

// Store is what the resolvers read today; *postgres.Store implements it.
type Store interface {
	store.DeliveryLog
	store.NetworkRegistry
	// Tenant returns one tenant by id (store.ErrNotFound when absent).
	Tenant(ctx context.Context, tenantID string) (store.Tenant, error)
	// Cursor returns the last processed ledger of a network.
	Cursor(ctx context.Context, network string) (uint64, bool, error)
}
