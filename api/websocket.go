package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/textcut"
)

// wsRefusal is why a WebSocket's connection_init was refused: the close
// code and the close frame's reason, which names the error code.
type wsRefusal struct {
	close  int
	reason string
}

func (r *wsRefusal) Error() string { return r.reason }

// admitWS authenticates a WebSocket connection from connection_init's
// {"Authorization": "Bearer …"}, or keeps the caller guard found in the
// upgrade request's header. The connection counts as one API call
// against the tenant's rate limit.
func (s *Server) admitWS(ctx context.Context, payload map[string]any) (context.Context, *wsRefusal) {
	h, _ := payload["Authorization"].(string)
	if h == "" {
		h, _ = payload["authorization"].(string)
	}
	if h != "" {
		token, _, err := bearer(h)
		if err != nil {
			return ctx, refuseInit(closeForbidden, CodeUnauthenticated, err.Error())
		}
		p, _, aerr := s.authenticate(ctx, token)
		if aerr != nil {
			code := closeForbidden
			if aerr.code != CodeUnauthenticated {
				code = closeTryAgainLater
			}
			return ctx, refuseInit(code, aerr.code, aerr.msg)
		}
		ctx = auth.WithPrincipal(ctx, p)
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		return ctx, refuseInit(closeForbidden, CodeUnauthenticated, "missing Authorization: Bearer credential (header or connection_init payload)")
	}
	if wait, err := s.allow(ctx, p); err != nil {
		s.o.log.ErrorContext(ctx, "api: rate limit check failed", "tenant", p.TenantID, "err", err)
		return ctx, refuseInit(closeTryAgainLater, CodeInternal, "rate limit unavailable, try again")
	} else if wait > 0 {
		return ctx, refuseInit(closeTooManyRequests, CodeRateLimited, fmt.Sprintf("retry after %d s", retryAfterSeconds(wait)))
	}
	return ctx, nil
}

// wsInit is admitWS for gqlgen's WebSocket transport, which serves the
// older graphql-ws protocol.
func (s *Server) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	ctx, refused := s.admitWS(ctx, payload)
	if refused != nil {
		ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, refused.reason), refused.close)
		return ctx, nil, errors.New(refused.reason)
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

// refuseInit is a refusal with a reason naming the error code (a close
// frame's reason holds at most 123 bytes).
func refuseInit(close int, code, msg string) *wsRefusal {
	return &wsRefusal{close: close, reason: textcut.Prefix(code+": "+msg, 120)}
}
