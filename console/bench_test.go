package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/store/storetest"
)

// BenchmarkMonitorsPage measures the server time of the monitors page of
// a tenant with 500 monitors and 2,000 deliveries in the last 24 hours
// (its sparklines read them all), in-process from the cookie to the last
// byte, and the page's size.
//
//	go test -run '^$' -bench BenchmarkMonitorsPage -benchtime 200x ./console/
func BenchmarkMonitorsPage(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	f := storetest.Fixture{Networks: map[string]string{"stellar_testnet": storetest.NetworkJSON("stellar_testnet")},
		Monitors: map[string]string{}, Triggers: map[string]string{"ops_hook": storetest.TriggerJSON("Ops hook")}}
	for i := range 500 {
		name := fmt.Sprintf("monitor %03d", i)
		f.Monitors[name] = storetest.MonitorJSON(name, "stellar_testnet", fmt.Sprintf("amount > %d", i), "ops_hook")
	}
	maxMonitors, rate := 1000, 1000000
	id := e.importTenant(b, "big", f, postgres.Quotas{MaxMonitors: &maxMonitors, MaxRPCRequestsPerMinute: &rate})
	key, rec, err := auth.NewKey(id, "bench", auth.RoleAdmin, time.Time{}, testArgon2)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.st.CreateAPIKey(ctx, rec); err != nil {
		b.Fatal(err)
	}
	var batch []store.ExpectedDelivery
	for i := range 2000 {
		batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: id, Monitor: fmt.Sprintf("monitor %03d", i%500),
			Network: "stellar_testnet", Ledger: uint64(1000 + i), TxHash: fmt.Sprintf("tx%05d", i), Trigger: "ops_hook"},
			TaskID: fmt.Sprintf("task-%d", i), Channel: "webhook"})
	}
	if err := e.st.ExpectDeliveries(ctx, batch); err != nil {
		b.Fatal(err)
	}
	br := e.browser(b)
	br.get("/console/signin")
	if p := br.post("/console/signin", url.Values{"key": {key}}); p.status != http.StatusSeeOther {
		b.Fatalf("sign in: %d %s", p.status, p.body)
	}
	u, _ := url.Parse(e.srv.URL + "/console/")
	cookie := br.c.Jar.Cookies(u)[0]
	cons, _ := New(WithAPI(e.srv.Config.Handler), WithRedis(e.rdb), WithSessionKeyPrefix("console-test:session:"))
	var took []time.Duration
	var size int
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/console/monitors", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		cons.ServeHTTP(rec, req)
		took = append(took, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("monitors = %d %s", rec.Code, rec.Body.String())
		}
		size = rec.Body.Len()
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(size), "bytes/page")
}
