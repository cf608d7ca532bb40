package auth

import (
	"context"
	"time"
)

// Store is what authentication reads. Lookups of a row that does not exist
// return an error wrapping store.ErrNotFound; store/postgres implements it.
type Store interface {
	// APIKeyByID returns the key with this id, whichever tenant owns it
	// (the key names its tenant), with the tenant's slug and active flag.
	APIKeyByID(ctx context.Context, keyID string) (KeyRecord, error)
	// TouchAPIKey sets last_used_at to at, unless it was set less than a
	// minute before.
	TouchAPIKey(ctx context.Context, keyID string, at time.Time) error
	// UserByEmail returns the user with this (normalised) e-mail address.
	UserByEmail(ctx context.Context, email string) (UserRecord, error)
	// UserMemberships returns every tenant the user belongs to.
	UserMemberships(ctx context.Context, userID string) ([]Membership, error)
	// Membership returns the user's membership of one tenant.
	Membership(ctx context.Context, tenantID, userID string) (Membership, error)
}

// UserRecord is a users row.
type UserRecord struct {
	ID           string
	Email        string
	PasswordHash string
	Active       bool
	CreatedAt    time.Time
}

// Membership is a tenant_memberships row with what a session needs of its
// tenant and user.
type Membership struct {
	TenantID     string
	TenantSlug   string
	TenantActive bool
	UserID       string
	UserActive   bool
	Role         Role
}
