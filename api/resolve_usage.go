package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ozmon/ozmon/store"
)

func (r *queryResolver) Usage(ctx context.Context, from, to time.Time) ([]UsageHour, error) {
	p, err := tenantCaller(ctx, "usage", canRead)
	if err != nil {
		return nil, err
	}
	days := int(store.MaxUsageRange / (24 * time.Hour))
	if !to.After(from) {
		return nil, badInput("usage: to (%s) must be after from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	rows, err := r.o.store.Usage(ctx, p.TenantID, from, to)
	if errors.Is(err, store.ErrInvalid) {
		return nil, badInput("usage: %s to %s spans more than %d days; ask for at most %d days at once",
			from.Format(time.RFC3339), to.Format(time.RFC3339), days, days)
	}
	if err != nil {
		return nil, fmt.Errorf("read usage of tenant %s: %w", p.TenantID, err)
	}
	out := make([]UsageHour, 0, len(rows))
	for _, u := range rows {
		out = append(out, UsageHour{Hour: u.Hour, LedgersEvaluated: int(u.Ledgers), CandidateEvaluations: int(u.Evaluations),
			EvaluationCPUMs: float64(u.EvalCPUMicros) / 1000, Matches: int(u.Matches),
			DeliveriesDelivered: int(u.Delivered), DeliveriesFailed: int(u.Failed)})
	}
	return out, nil
}
