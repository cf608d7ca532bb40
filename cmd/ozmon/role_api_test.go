package main

import (
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

func TestSameListener(t *testing.T) {
	for _, c := range []struct {
		api, metrics string
		want         bool
	}{
		{"0.0.0.0:3000", ":3000", true},
		{"127.0.0.1:3000", "127.0.0.1:3000", true},
		{"0.0.0.0:8088", ":3000", false},
		{"127.0.0.1:3000", "10.0.0.1:3000", false},
		{"0.0.0.0:3000", "", false},
	} {
		if got := sameListener(c.api, c.metrics); got != c.want {
			t.Errorf("sameListener(%q, %q) = %v", c.api, c.metrics, got)
		}
	}
}

// TestAPIRoleRefusesWithoutDatabase: keys, users and writes live in
// PostgreSQL, so `ozmon api` on a config directory says so and exits.
func TestAPIRoleRefusesWithoutDatabase(t *testing.T) {
	dir := t.TempDir()
	ids := ozmontest.SyntheticIDs(1, network.TestNetworkPassphrase)
	if err := writeDevConfig(dir, "http://127.0.0.1:1", "http://127.0.0.1:2", ids.Token, ids.App); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OZ_MONITOR_DATABASE_URL", "")
	code, _, errOut := runCmd(t, "api", "--redis-url", "redis://"+testkit.RedisAddr(), "--config-dir", dir, "--metrics-addr", "")
	if code == 0 || !strings.Contains(errOut, "the tenant API needs PostgreSQL (database_url)") {
		t.Fatalf("api without a database: code %d, stderr %q", code, errOut)
	}
}
