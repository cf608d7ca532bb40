package api

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenantconfig"
)

// Store is what the resolvers read and write besides a tenant's
// configuration; *postgres.Store implements it. Every method taking a
// tenant id is given the caller's, never one from the request.
type Store interface {
	store.DeliveryLog
	store.NetworkRegistry
	// Tenant returns one tenant by id (store.ErrNotFound when absent).
	Tenant(ctx context.Context, tenantID string) (store.Tenant, error)
	// Cursor returns the last processed ledger of a network.
	Cursor(ctx context.Context, network string) (uint64, bool, error)
	// NetworkProblems returns every network's open problems.
	NetworkProblems(ctx context.Context) ([]store.NetworkProblem, error)

	// The tenant's API keys (tenant-scoped: another tenant's key is
	// store.ErrNotFound).
	APIKeys(ctx context.Context, tenantID string) ([]auth.KeyRecord, error)
	APIKey(ctx context.Context, tenantID, keyID string) (auth.KeyRecord, error)
	CreateAPIKey(ctx context.Context, rec auth.KeyRecord) (auth.KeyRecord, error)
	RevokeAPIKey(ctx context.Context, tenantID, keyID string) error

	// Usage returns the tenant's hourly usage in [from, to).
	Usage(ctx context.Context, tenantID string, from, to time.Time) ([]store.UsageHour, error)

	// The operator's tenant administration.
	CreateTenant(ctx context.Context, nt postgres.NewTenant) (store.Tenant, error)
	UpdateTenant(ctx context.Context, tenantID string, ch postgres.TenantChange) (store.Tenant, error)
}

// ConfigWriter is the one write path of a tenant's configuration and the
// reads shown next to it; *tenantconfig.Writer implements it. The API
// scopes every call to the caller's tenant.
type ConfigWriter interface {
	Apply(ctx context.Context, tenantID string, actor auth.Principal, change tenantconfig.Change) (tenantconfig.Result, error)
	Check(ctx context.Context, tenantID string, actor auth.Principal, change tenantconfig.Change) error
	Read(ctx context.Context, tenantID string) (tenantconfig.Config, error)
	Problems(ctx context.Context, tenantID string) (postgres.TenantProblems, error)
	AuditLog(ctx context.Context, tenantID string, actor auth.Principal, cursor string, limit int) (postgres.AuditPage, error)
}

// Loginer turns a user's e-mail and password into a session; an
// Authenticator that implements it (*auth.Authenticator does) serves the
// login mutation.
type Loginer interface {
	Login(ctx context.Context, email, password, tenantSlug string) (auth.Session, error)
}
