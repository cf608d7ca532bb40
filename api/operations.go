package api

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ozmon/ozmon/auth"
)

// rateCheckedKey marks a context whose request guard already counted
// against the tenant's rate limit (HTTP); operations sent over a
// WebSocket are counted one by one in aroundOperations.
type rateCheckedKey struct{}

// aroundOperations refuses every operation of an unauthenticated caller
// but login, also over WebSocket, where guard lets the upgrade through;
// and counts each WebSocket operation, and each mutation field beyond a
// request's first, against the tenant's rate limit.
func (s *Server) aroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if p, ok := auth.FromContext(ctx); ok {
		// Each mutation field is a call of its own; the request's guard
		// counted one already over HTTP.
		cost := 1
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Doc != nil {
			cost = max(1, mutationFields(oc.Operation, oc.Doc.Fragments))
		}
		if ctx.Value(rateCheckedKey{}) != nil {
			cost--
		}
		if cost > 0 {
			wait, err := s.allowN(ctx, p, cost)
			if err != nil {
				if ctx.Err() == nil { // else the caller left (a WebSocket closed): nothing failed
					s.o.log.ErrorContext(ctx, "api: rate limit check failed", "tenant", p.TenantID, "err", err)
				}
				return oneError(CodeInternal, "rate limit unavailable, try again", nil)
			}
			if wait > 0 {
				secs := retryAfterSeconds(wait)
				return oneError(CodeRateLimited, fmt.Sprintf("tenant %s is over its API rate limit: retry after %d s", p.TenantSlug, secs),
					map[string]any{"retryAfterSeconds": secs})
			}
		}
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
	return oneError(CodeUnauthenticated, "missing Authorization: Bearer credential", nil)
}

// oneError answers an operation with one error and no data.
func oneError(code, msg string, ext map[string]any) graphql.ResponseHandler {
	all := map[string]any{"code": code}
	for k, v := range ext {
		all[k] = v
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: all}}})
}
