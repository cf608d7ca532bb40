package api

import (
	"context"
	"errors"

	"github.com/ozmon/ozmon/tenantconfig"
)

// ValidateMonitor answers what createMonitor would refuse the monitor
// with, without writing: the editor's validation as the user types. Only
// refusals a user can fix in the JSON become problems; NOT_FOUND, FORBIDDEN
// and internal failures stay errors.
func (r *queryResolver) ValidateMonitor(ctx context.Context, monitor any) ([]ValidationProblem, error) {
	p, err := tenantCaller(ctx, "validateMonitor", canWrite)
	if err != nil {
		return nil, err
	}
	data, err := jsonArg("validateMonitor", "monitor", monitor)
	if err != nil {
		return nil, err
	}
	err = r.o.writer.Check(ctx, p.TenantID, p, tenantconfig.PutMonitor{JSON: data})
	if err == nil {
		return []ValidationProblem{}, nil
	}
	var te *tenantconfig.Error
	if !errors.As(err, &te) {
		return nil, err
	}
	switch te.Code {
	case tenantconfig.CodeValidationFailed:
		if len(te.Problems) == 0 {
			return []ValidationProblem{{Code: string(te.Code), Message: te.Message}}, nil
		}
		out := make([]ValidationProblem, 0, len(te.Problems))
		for _, pr := range te.Problems {
			out = append(out, ValidationProblem{Code: string(te.Code), Message: pr.Message, File: pr.File, Path: pr.Path})
		}
		return out, nil
	case tenantconfig.CodeQuotaExceeded:
		return []ValidationProblem{{Code: string(te.Code), Message: te.Message}}, nil
	}
	return nil, configError(ctx, err)
}
