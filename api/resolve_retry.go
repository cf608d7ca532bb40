package api

import (
	"context"

	"github.com/ozmon/ozmon/replay"
)

// retryLimit is how many of the tenant's records one retryDeliveries
// considers (the delivery log's largest page).
const retryLimit = 1000

func (r *mutationResolver) RetryDeliveries(ctx context.Context, filter *DeliveryFilter, force *bool) (*RetryResult, error) {
	p, err := tenantCaller(ctx, "retryDeliveries", canWrite)
	if err != nil {
		return nil, err
	}
	f, err := storeFilter(p.TenantID, filter)
	if err != nil {
		return nil, err
	}
	f.Limit = retryLimit
	res, err := replay.Retry(ctx, r.o.store, r.o.rdb, r.o.insp, f, force != nil && *force)
	if err != nil {
		return nil, err
	}
	out := &RetryResult{Skipped: []RetrySkip{}, Truncated: res.Truncated}
	for _, o := range res.Outcomes {
		switch {
		case o.Err != nil:
			out.Failed++
			r.o.log.ErrorContext(ctx, "api: retry delivery", "tenant", p.TenantID, "task", o.Delivery.TaskID, "err", o.Err)
		case o.Reason != "":
			out.Skipped = append(out.Skipped, RetrySkip{Monitor: o.Delivery.Key.Monitor, Ledger: int(o.Delivery.Key.Ledger),
				Trigger: o.Delivery.Key.Trigger, Reason: o.Reason, Explanation: replay.Explain(o.Reason)})
		default:
			out.Requeued++
		}
	}
	return out, nil
}
