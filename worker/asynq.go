package worker

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/tasks"
)

// serverConfig is the asynq server configuration ozmon runs with: its
// queues and weights, its retry delays, and timings suited to ledgers.
func serverConfig(concurrency int, shutdown time.Duration, queues map[string]int, log asynq.Logger) asynq.Config {
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
