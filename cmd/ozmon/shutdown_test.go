package main

import (
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
)

// TestNotifyShutdownTimeout: deliver tasks get the longer of
// worker.shutdown_timeout and notify.send_timeout plus 5 s.
func TestNotifyShutdownTimeout(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		shutdown, send, want time.Duration
	}{
		{20 * time.Second, 30 * time.Second, 35 * time.Second}, // the defaults
		{60 * time.Second, 30 * time.Second, 60 * time.Second},
		{20 * time.Second, time.Second, 20 * time.Second},
		{20 * time.Second, 15 * time.Second, 20 * time.Second},
	} {
		var cfg config.Config
		cfg.Worker.ShutdownTimeout = config.Duration(c.shutdown)
		cfg.Notify.SendTimeout = config.Duration(c.send)
		if got := notifyShutdownTimeout(cfg); got != c.want {
			t.Errorf("shutdown_timeout %s, send_timeout %s: notify shutdown %s, want %s", c.shutdown, c.send, got, c.want)
		}
	}
}
