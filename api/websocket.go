package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/textcut"
)

// wsInit authenticates a WebSocket connection from connection_init's
// {"Authorization": "Bearer …"}, or keeps the caller guard found in the
// upgrade request's header. The connection counts as one API call
// against the tenant's rate limit.
func (s *Server) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	h := payload.Authorization()
	if h == "" {
		if v, ok := payload["authorization"].(string); ok {
			h = v
		}
	}
	if h != "" {
		token, _, err := bearer(h)
		if err != nil {
			return refuseInit(ctx, closeForbidden, CodeUnauthenticated, err.Error())
		}
		p, _, aerr := s.authenticate(ctx, token)
		if aerr != nil {
			code := closeForbidden
			if aerr.code != CodeUnauthenticated {
				code = closeTryAgainLater
			}
			return refuseInit(ctx, code, aerr.code, aerr.msg)
		}
		ctx = auth.WithPrincipal(ctx, p)
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		return refuseInit(ctx, closeForbidden, CodeUnauthenticated, "missing Authorization: Bearer credential (header or connection_init payload)")
	}
	if wait, err := s.allow(ctx, p); err != nil {
		s.o.log.ErrorContext(ctx, "api: rate limit check failed", "tenant", p.TenantID, "err", err)
		return refuseInit(ctx, closeTryAgainLater, CodeInternal, "rate limit unavailable, try again")
	} else if wait > 0 {
		return refuseInit(ctx, closeTooManyRequests, CodeRateLimited, fmt.Sprintf("retry after %d s", retryAfterSeconds(wait)))
	}
	return ctx, nil, nil
}

// WebSocket close codes of a refused connection_init: graphql-transport-ws's
// 4403 Forbidden, 4429 for the rate limit, and RFC 6455's 1013 Try Again
// Later for a check that could not run.
const (
	closeForbidden       = 4403
	closeTooManyRequests = 4429
	closeTryAgainLater   = 1013
)

// refuseInit closes the connection with code and a reason naming the
// error code (the close frame's reason holds at most 123 bytes).
func refuseInit(ctx context.Context, close int, code, msg string) (context.Context, *transport.InitPayload, error) {
	reason := textcut.Prefix(code+": "+msg, 120)
	ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, reason), close)
	return ctx, nil, errors.New(reason)
}
