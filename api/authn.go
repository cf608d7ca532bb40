package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ozmon/ozmon/auth"
)

// busyRetrySeconds is the Retry-After of a BUSY answer: credential checks
// queue for well under a second.
const busyRetrySeconds = 1

// authenticate checks a bearer credential. A refusal says why when the
// authenticator gives a reason safe to show (revoked, expired, …); too
// many checks at once is BUSY (retry); anything else is the server's
// fault, logged and answered without detail.
func (s *Server) authenticate(ctx context.Context, token string) (auth.Principal, int, *codedError) {
	p, err := s.o.authn.Authenticate(ctx, token)
	switch {
	case err == nil:
		return p, 0, nil
	case errors.Is(err, auth.ErrBusy):
		e := newError(CodeBusy, "too many credential checks in progress: retry after %d s", busyRetrySeconds)
		e.ext = map[string]any{"retryAfterSeconds": busyRetrySeconds}
		return p, http.StatusServiceUnavailable, e
	case errors.Is(err, auth.ErrUnauthenticated):
		reason := strings.TrimPrefix(err.Error(), auth.ErrUnauthenticated.Error()+": ")
		return p, http.StatusUnauthorized, newError(CodeUnauthenticated, "the bearer credential is refused: %s", reason)
	case ctx.Err() != nil:
		return p, http.StatusServiceUnavailable, newError(CodeInternal, "request cancelled while checking the credential")
	}
	s.o.log.ErrorContext(ctx, "api: credential check failed", "err", err)
	return p, http.StatusServiceUnavailable, newError(CodeInternal, "the credential could not be checked, try again")
}
