package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/ozmon/ozmon/auth"
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
			return ctx, nil, err
		}
		p, _, aerr := s.authenticate(ctx, token)
		if aerr != nil {
			return ctx, nil, fmt.Errorf("%s: %s", aerr.code, aerr.msg)
		}
		ctx = auth.WithPrincipal(ctx, p)
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		return ctx, nil, errors.New("UNAUTHENTICATED: missing Authorization: Bearer credential (header or connection_init payload)")
	}
	if wait, err := s.allow(ctx, p); err != nil {
		return ctx, nil, errors.New("rate limit unavailable, try again")
	} else if wait > 0 {
		return ctx, nil, fmt.Errorf("RATE_LIMITED: retry after %d s", retryAfterSeconds(wait))
	}
	return ctx, nil, nil
}
