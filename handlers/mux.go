package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
)

// Mux routes the three task types through the logging middleware, which
// logs the error text asynq will keep: masked and bounded (boundErrors).
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.logging, boundErrors)
	mux.HandleFunc(tasks.TypeFetchBlock, h.FetchBlock)
	mux.HandleFunc(tasks.TypeEvaluateTenants, h.EvaluateTenants)
	mux.HandleFunc(tasks.TypeDeliver, h.Deliver)
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

// ServerConfig is the asynq server configuration ozmon runs with: its
// queues and weights, its retry delays, and timings suited to ledgers.
func ServerConfig(concurrency int, shutdown time.Duration, queues map[string]int, log asynq.Logger) asynq.Config {
	if queues == nil {
		queues = tasks.DefaultQueues()
	}
	return asynq.Config{
		Concurrency:              concurrency,
		Queues:                   queues,
		RetryDelayFunc:           tasks.RetryDelay,
		IsFailure:                tasks.IsFailure,
		ShutdownTimeout:          shutdown,
		TaskCheckInterval:        50 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		Logger:                   log,
		LogLevel:                 asynq.WarnLevel,
	}
}

// AsynqLogger routes asynq's own log lines into slog.
func AsynqLogger(l *slog.Logger) asynq.Logger { return asynqLogger{l} }

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
