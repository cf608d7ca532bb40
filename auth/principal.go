// Package auth owns who a caller of the tenant API is and what it may do:
// API keys (smt_…), users' passwords and session tokens, the operator's
// credential, and the roles of tenant_memberships.
package auth

import "context"

// Role is a member's role in a tenant (tenant_memberships.role).
type Role string

// The roles, from most to least capable.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// ParseRole reads a stored role. The column is free text; an unknown value
// is read as viewer, the least capable role, as the tenant-isolation API
// does.
func ParseRole(s string) Role {
	switch r := Role(s); r {
	case RoleOwner, RoleAdmin, RoleMember, RoleViewer:
		return r
	}
	return RoleViewer
}

// CanRead reports whether the role may read the tenant's resources.
func (r Role) CanRead() bool { return ParseRole(string(r)) == r }

// CanWrite reports whether the role may change monitors and triggers.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleAdmin || r == RoleMember }

// CanManage reports whether the role may manage API keys and members and
// read the audit log.
func (r Role) CanManage() bool { return r == RoleOwner || r == RoleAdmin }

// Principal is an authenticated caller.
type Principal struct {
	// TenantID and TenantSlug are the tenant every request of this caller
	// is scoped to; empty for the operator.
	TenantID   string
	TenantSlug string
	Role       Role
	// UserID is set for a user's session, KeyID for an API key.
	UserID string
	KeyID  string
	// Operator is the operator's credential (api.operator_token).
	Operator bool
}

// Actor names the caller in logs and the audit log: "user:<id>",
// "key:<id>" or "operator".
func (p Principal) Actor() string {
	switch {
	case p.Operator:
		return "operator"
	case p.UserID != "":
		return "user:" + p.UserID
	case p.KeyID != "":
		return "key:" + p.KeyID
	}
	return "anonymous"
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller carried by ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
