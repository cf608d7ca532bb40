package main

import (
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/scheduler"
)

func TestRecoveryConfigMapsOntoRedrivePolicy(t *testing.T) {
	if got := recovery(nil); got != (scheduler.Recovery{}) {
		t.Fatalf("no recovery_config: %+v, want the defaults", got)
	}
	if got := recovery(&ozconfig.RecoveryConfig{Enabled: false, MaxRetries: 4}); got != (scheduler.Recovery{}) {
		t.Fatalf("disabled recovery_config: %+v, want the defaults", got)
	}
	got := recovery(&ozconfig.RecoveryConfig{Enabled: true, CronSchedule: "15 */10 * * * *", MaxBlocksPerRun: 25,
		MaxBlockAge: 2000, MaxRetries: 4, RetryDelayMs: 1500})
	want := scheduler.Recovery{CronSchedule: "15 */10 * * * *", MaxPerRun: 25, MaxAge: 2000, MaxRedrives: 4,
		RetryDelay: 1500 * time.Millisecond, RetryArchived: true}
	if got != want {
		t.Fatalf("recovery_config: %+v, want %+v", got, want)
	}
}

func TestInFlightBoundsDefaultToShareOfPool(t *testing.T) {
	c := config.Defaults()
	if tn, d := inFlightBounds(c); tn != 5 || d != 25 {
		t.Fatalf("defaults for a pool of 50: tenant %d destination %d", tn, d)
	}
	c.Worker.NotifyConcurrency = 4
	if tn, d := inFlightBounds(c); tn != 1 || d != 2 {
		t.Fatalf("pool of 4: tenant %d destination %d", tn, d)
	}
	c.Notify.TenantConcurrency, c.Notify.DestinationConcurrency = 7, 9
	if tn, d := inFlightBounds(c); tn != 7 || d != 9 {
		t.Fatalf("explicit: tenant %d destination %d", tn, d)
	}
}
