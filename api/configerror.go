package api

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ozmon/ozmon/tenantconfig"
)

// configError turns a refused write into what the caller sees: one
// GraphQL error per validation problem, with the message `ozmon validate`
// prints and extensions {code, file, path}; a quota refusal names the
// quota and its value. The last error is returned, the others added to
// the response first. Any other error is returned as it is.
func configError(ctx context.Context, err error) error {
	var te *tenantconfig.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.Code {
	case tenantconfig.CodeValidationFailed:
		if len(te.Problems) == 0 {
			return newError(CodeValidationFailed, "%s", te.Message)
		}
		var last error
		for i, p := range te.Problems {
			e := newError(CodeValidationFailed, "%s", p.Message)
			e.ext = map[string]any{"file": p.File, "path": p.Path}
			if i < len(te.Problems)-1 {
				graphql.AddError(ctx, e)
				continue
			}
			last = e
		}
		return last
	case tenantconfig.CodeQuotaExceeded:
		e := newError(CodeQuotaExceeded, "%s", te.Message)
		e.ext = map[string]any{"quota": te.Quota, "limit": te.Limit}
		return e
	case tenantconfig.CodeNotFound:
		return newError(CodeNotFound, "%s", te.Message)
	case tenantconfig.CodeConflict:
		return newError(CodeConflict, "%s", te.Message)
	case tenantconfig.CodeForbidden:
		return newError(CodeForbidden, "%s", te.Message)
	}
	return newError(CodeBadInput, "%s", te.Message)
}
