package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
)

// Mux routes the task types (the pipeline's three and resolve) through the logging middleware, which
// logs the error text asynq will keep: masked and bounded (boundErrors),
// and times each ledger's stages (stageTiming).
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.logging, boundErrors, h.stageTiming)
	mux.HandleFunc(tasks.TypeFetchBlock, h.FetchBlock)
	mux.HandleFunc(tasks.TypeEvaluateTenants, h.EvaluateTenants)
	mux.HandleFunc(tasks.TypeDeliver, h.Deliver)
	mux.HandleFunc(tasks.TypeResolve, h.Resolve)
	return mux
}

// logging logs every failed attempt with the task id (never the payload:
// it holds tenant data) and how long it ran.
func (h *Handlers) logging(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		if err != nil {
			id, _ := asynq.GetTaskID(ctx)
			retry, _ := asynq.GetRetryCount(ctx)
			lvl := h.cfg.Log.Warn
			if errors.Is(err, asynq.SkipRetry) {
				lvl = h.cfg.Log.Error
			}
			lvl("task failed", "type", t.Type(), "task_id", id, "retry", retry, "took", time.Since(start), "err", err)
		}
		return err
	})
}
