package tenantconfig_test

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/tenantconfig"
)

// A tenant whose delivery records, as last measured, take it past its
// max_storage_mb may not grow its configuration; it may still shrink it.
// Another tenant is not affected, nor is the operator.
func TestQuotaMaxStorageRefusesGrowthOverTheCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	other, op := e.tenant(t, "beta")
	for _, tid := range []string{id, other} {
		e.setQuota(t, tid, "max_storage_mb", 1)
	}
	e.apply(t, id, p, monitor("m1"))
	e.apply(t, id, p, monitor("m2"))
	// The measurement the scheduler keeps: acme's records fill its 1 MB.
	if _, err := e.st.Pool().Exec(ctx, `INSERT INTO ozmon_tenant_storage (tenant_id, delivery_bytes, quota_bytes, over)
		VALUES ($1, $2, $2, true)`, id, 1<<20); err != nil {
		t.Fatal(err)
	}
	_, err := e.w.Apply(ctx, id, p, monitor("m3"))
	quotaRefused(t, err, "max_storage_mb", 1)
	e.apply(t, id, p, tenantconfig.DeleteMonitor{Name: "m2"})
	e.apply(t, id, auth.Principal{Operator: true}, monitor("m3"))
	e.apply(t, other, op, monitor("m1"))
}
