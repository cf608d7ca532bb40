package api

import (
	"context"

	"github.com/ozmon/ozmon/auth"
)

// caller is the authenticated caller of a resolver.
func caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return auth.Principal{}, newError(CodeUnauthenticated, "missing Authorization: Bearer credential")
	}
	return p, nil
}

// tenantCaller is a caller acting in a tenant, allowed by may. The
// operator has no tenant: tenant-scoped fields answer NOT_FOUND for it.
func tenantCaller(ctx context.Context, what string, may func(auth.Role) bool) (auth.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return p, err
	}
	if p.TenantID == "" {
		return p, newError(CodeNotFound, "%s: the operator's credential belongs to no tenant", what)
	}
	if !may(p.Role) {
		return p, newError(CodeForbidden, "%s: role %s may not do this", what, p.Role)
	}
	return p, nil
}

func canRead(r auth.Role) bool   { return r.CanRead() }
func canWrite(r auth.Role) bool  { return r.CanWrite() }
func canManage(r auth.Role) bool { return r.CanManage() }

// operatorOnly refuses anyone but the operator. A tenant's caller is told
// FORBIDDEN: the operator's fields exist for everyone to see in the
// schema, so refusing them leaks nothing about another tenant.
func operatorOnly(ctx context.Context, field string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if !p.Operator {
		return newError(CodeForbidden, "%s: only the operator may do this", field)
	}
	return nil
}
