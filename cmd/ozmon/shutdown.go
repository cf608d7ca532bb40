package main

import (
	"time"

	"github.com/ozmon/ozmon/internal/config"
)

// sendShutdownMargin is what a send in flight gets on top of
// notify.send_timeout when a worker stops: time to record its outcome.
const sendShutdownMargin = 5 * time.Second

// notifyShutdownTimeout is how long a stopping worker lets deliver tasks
// run: at least worker.shutdown_timeout, and long enough for a send in
// flight to finish and record its outcome. Cut short, the task would go
// back to the queue while the receiver may already have the notification,
// and another worker would send it again.
func notifyShutdownTimeout(cfg config.Config) time.Duration {
	return max(cfg.Worker.ShutdownTimeout.D(), cfg.Notify.SendTimeout.D()+sendShutdownMargin)
}
