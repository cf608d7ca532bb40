package tenantconfig_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

// BenchmarkApplyPutMonitor replaces one monitor of a tenant with 100
// monitors: lock, read, whole-tenant validation, quota check, write and
// audit row, one transaction per op.
func BenchmarkApplyPutMonitor(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	id, p := e.tenant(b, "bench")
	e.setQuota(b, id, "max_monitors", 1000)
	files := map[string][]byte{"triggers/t.json": []byte(`{"t0": ` + storetest.TriggerJSON("t0") + `}`)}
	for i := range 100 {
		files[fmt.Sprintf("monitors/m%03d.json", i)] = []byte(storetest.MonitorJSON(fmt.Sprintf("m%03d", i), network, "amount > 1", "t0"))
	}
	e.apply(b, id, auth.Principal{Operator: true}, tenantconfig.Import{Files: files})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m050", network, fmt.Sprintf("amount > %d", i), "t0"))}
		if _, err := e.w.Apply(ctx, id, p, c); err != nil {
			b.Fatal(err)
		}
	}
}
