package api

import (
	"context"
	"errors"

	"github.com/ozmon/ozmon/auth"
)

// Login is open without a credential (guard lets it through alone).
func (r *mutationResolver) Login(ctx context.Context, email, password, tenant string) (*Session, error) {
	l, ok := r.o.authn.(Loginer)
	if !ok {
		return nil, newError(CodeUnauthenticated, "login: password login is off on this server: use an API key")
	}
	s, err := l.Login(ctx, email, password, tenant)
	switch {
	case err == nil:
		return &Session{Token: s.Token, ExpiresAt: s.ExpiresAt, Role: roleOf(s.Principal.Role)}, nil
	case errors.Is(err, auth.ErrBusy):
		e := newError(CodeBusy, "login: too many credential checks in progress: retry after %d s", busyRetrySeconds)
		e.ext = map[string]any{"retryAfterSeconds": busyRetrySeconds}
		return nil, e
	case errors.Is(err, auth.ErrUnauthenticated):
		// auth's reasons are safe to show: wrong e-mail or password (one
		// answer for both), user or tenant disabled, not a member,
		// sessions off (no api.jwt_secret).
		return nil, newError(CodeUnauthenticated, "login: %s", err.Error())
	}
	return nil, err
}
