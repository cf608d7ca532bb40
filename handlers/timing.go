package handlers

import (
	"bytes"
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
		if network, ok := payloadNetwork(t.Payload()); ok {
			h.cfg.Metrics.BlockProcessing.WithLabelValues(network, stage).Observe(time.Since(start).Seconds())
		}
		return nil
	})
}

// payloadNetwork reads the top-level "network" of a task payload. Both
// timed payloads name it before their tenant list, so it stops there
// rather than decode a batch's 200 tenant ids a second time.
func payloadNetwork(payload []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", false
		}
		if key == "network" {
			var n string
			if dec.Decode(&n) != nil {
				return "", false
			}
			return n, true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "", false
		}
	}
	return "", false
}
