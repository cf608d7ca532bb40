package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
)

// The script keys: scripts run as nobody unless the operator says -1 (both), and a tenant's
// conditions get 30 s per batch.
func TestNotifyScriptKeys(t *testing.T) {
	t.Parallel()
	d := config.Defaults()
	if d.Notify.ScriptUID != 65534 || d.Notify.ScriptGID != 65534 || d.Notify.ConditionBudget.D() != 30*time.Second {
		t.Fatalf("defaults: %+v", d.Notify)
	}
	c, err := config.Load("", []string{"OZ_MONITOR_NOTIFY_SCRIPT_UID=-1", "OZ_MONITOR_NOTIFY_SCRIPT_GID=-1", "OZ_MONITOR_NOTIFY_CONDITION_BUDGET=5s"})
	if err != nil || c.Notify.ScriptUID != -1 || c.Notify.ConditionBudget.D() != 5*time.Second {
		t.Fatalf("script keys from the environment: %+v, %v", c.Notify, err)
	}
	for _, env := range [][]string{
		{"OZ_MONITOR_NOTIFY_SCRIPT_UID=-1"},
		{"OZ_MONITOR_NOTIFY_SCRIPT_UID=-2", "OZ_MONITOR_NOTIFY_SCRIPT_GID=-2"},
		{"OZ_MONITOR_NOTIFY_SCRIPT_UID=4294967296"},
		{"OZ_MONITOR_NOTIFY_CONDITION_BUDGET=0s"},
	} {
		if _, err := config.Load("", env); err == nil || !strings.Contains(err.Error(), "notify.") {
			t.Errorf("%v: got %v, want an error naming the key", env, err)
		}
	}
}
