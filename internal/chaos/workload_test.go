package chaos

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

// TestWorkloadShape: the suite's workload is the tester's — several
// hundred notifications from 50 tenants, spread over the ledgers, so a
// fault in the middle of the run hits work in every state.
func TestWorkloadShape(t *testing.T) {
	t.Parallel()
	w, err := LoadWorkload(context.Background(), testkit.SharedPath(t, "testdata", "stellar", "mainnet"), 50, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(w.Expected); n < 400 || n > 900 {
		t.Errorf("%d expected notifications; the scenarios are tuned for about 600", n)
	}
	if n := len(w.PerLedger()); n < 15 {
		t.Errorf("notifications in %d ledgers only; want them spread over most of the %d", n, LastConfirmed-FirstLedger+1)
	}
	tenants := map[string]bool{}
	for _, k := range w.Expected {
		tenants[k.Tenant] = true
	}
	if len(tenants) != 50 {
		t.Errorf("%d tenants have notifications, want all 50", len(tenants))
	}
	t.Logf("%d expected notifications over %d ledgers", len(w.Expected), len(w.PerLedger()))
}
