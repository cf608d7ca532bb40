package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ozmon/ozmon/store"
)

// The error codes of extensions.code.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeBadInput        = "BAD_USER_INPUT"
	CodeRateLimited     = "RATE_LIMITED"
	CodeTooDeep         = "QUERY_TOO_DEEP"
	CodeTooComplex      = "QUERY_TOO_COMPLEX"
	// CodeTooManyMutations: more mutation fields in one operation than
	// the server takes (WithMaxMutations).
	CodeTooManyMutations = "TOO_MANY_MUTATIONS"
	CodeInternal         = "INTERNAL"
	// CodeValidationFailed, CodeQuotaExceeded and CodeConflict are
	// tenantconfig's refusals of a write (configerror.go).
	CodeValidationFailed = "VALIDATION_FAILED"
	CodeQuotaExceeded    = "QUOTA_EXCEEDED"
	CodeConflict         = "CONFLICT"
	// CodeBusy: too many credential checks are running; retry shortly.
	CodeBusy = "BUSY"
	// CodeSlowSubscriber and CodeOutsideWindow end a subscription with an
	// error frame: it fell too far behind, or its backlog was trimmed
	// while it read it.
	CodeSlowSubscriber = "SLOW_SUBSCRIBER"
	CodeOutsideWindow  = "OUTSIDE_WINDOW"
	// CodeIntrospectionOff answers __schema and __type when
	// api.introspection is off.
	CodeIntrospectionOff = "INTROSPECTION_DISABLED"
)

// codedError is an error the caller may see, with its code and extra
// extensions.
type codedError struct {
	code string
	msg  string
	ext  map[string]any
}

func (e *codedError) Error() string { return e.msg }

func newError(code, format string, args ...any) *codedError {
	return &codedError{code: code, msg: fmt.Sprintf(format, args...)}
}

func notFound(what, id string) error {
	return newError(CodeNotFound, "%s %q not found", what, id)
}

func badInput(format string, args ...any) error { return newError(CodeBadInput, format, args...) }

// presentError turns a resolver's error into what the caller sees: a
// codedError as it is, a store.ErrNotFound as NOT_FOUND, an invalid input
// as BAD_USER_INPUT, anything else as INTERNAL with a generic message (the
// cause is logged, never sent: it may name hosts or SQL).
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && gerr.Err == nil {
			// Parse and validation errors of gqlgen itself.
			return gerr
		}
		out := graphql.DefaultErrorPresenter(ctx, err)
		var ce *codedError
		switch {
		case errors.As(err, &ce):
			out.Message = ce.msg
			out.Extensions = map[string]any{"code": ce.code}
			for k, v := range ce.ext {
				out.Extensions[k] = v
			}
		case err.Error() == "introspection disabled" || strings.HasSuffix(err.Error(), " introspection disabled"):
			// gqlgen's own refusal, a plain error.
			out.Message = "introspection is off (api.introspection)"
			out.Extensions = map[string]any{"code": CodeIntrospectionOff}
		case errors.Is(err, store.ErrNotFound):
			out.Message = "not found"
			out.Extensions = map[string]any{"code": CodeNotFound}
		case errors.Is(err, store.ErrInvalid):
			out.Message = err.Error()
			out.Extensions = map[string]any{"code": CodeBadInput}
		default:
			log.ErrorContext(ctx, "api: resolver failed", "path", graphql.GetPath(ctx).String(), "err", err)
			out.Message = "internal error"
			out.Extensions = map[string]any{"code": CodeInternal}
		}
		return out
	}
}

// recoverPanic answers a panicking resolver with INTERNAL and logs the
// panic; its value never reaches the caller.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "api: resolver panicked", "panic", fmt.Sprint(v))
		return newError(CodeInternal, "internal error")
	}
}
