package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ozmon/ozmon/auth"
)

// requireCaller refuses every operation of an unauthenticated caller but
// login, also over WebSocket, where guard lets the upgrade through.
func requireCaller(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if _, ok := auth.FromContext(ctx); ok {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == "mutation" {
		login := true
		for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
			login = login && (f.Name == "login" || f.Name == "__typename")
		}
		if login {
			return next(ctx)
		}
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "missing Authorization: Bearer credential",
		Extensions: map[string]any{"code": CodeUnauthenticated}}}})
}

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
