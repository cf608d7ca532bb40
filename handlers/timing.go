package handlers

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/tasks"
)

// stageOf names the ledger stage a task type is, if it is timed.
func stageOf(taskType string) (string, bool) {
	switch taskType {
	case tasks.TypeFetchBlock:
		return "fetch", true
	case tasks.TypeEvaluateTenants:
		return "evaluate", true
	}
	return "", false
}

// stageTiming observes how long each fetch-block and evaluate-tenants
// task took, in oz_monitor_block_processing_duration_seconds by network
// and stage. A failed attempt is not observed: its retry is.
func (h *Handlers) stageTiming(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		stage, ok := stageOf(t.Type())
		if !ok {
			return next.ProcessTask(ctx, t)
		}
		start := time.Now()
		if err := next.ProcessTask(ctx, t); err != nil {
			return err
		}
		// Both payloads name their network; the handler has already
		// decoded the rest.
		var p struct {
			Network string `json:"network"`
		}
		if json.Unmarshal(t.Payload(), &p) == nil {
			h.cfg.Metrics.BlockProcessing.WithLabelValues(p.Network, stage).Observe(time.Since(start).Seconds())
		}
		return nil
	})
}
