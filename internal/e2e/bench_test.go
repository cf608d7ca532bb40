package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
)

// Run the benchmarks with
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/e2e/
//
// OZMON_BENCH_SECONDS sets how long the paced loads run (default 4),
// OZMON_BENCH_RATE the deliveries query's rate (default 500/s),
// OZMON_BENCH_SUBS the idle subscriptions of the memory benchmark
// (default 2000). The load generators run in the benchmark's process,
// beside the API; the memory benchmark's clients run in a child process.

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// percentiles reports p50, p99 and max of lat in milliseconds.
func percentiles(b *testing.B, lat []time.Duration, suffix string) {
	b.Helper()
	if len(lat) == 0 {
		b.Fatal("no latencies measured")
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms"+suffix)
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99_ms"+suffix)
	b.ReportMetric(ms(lat[len(lat)-1]), "max_ms"+suffix)
}

// BenchmarkDeliveriesQueryOpenLoop: the deliveries query (first 50,
// newest first) with a real API key, over HTTP to one API process, while
// the table holds 10,000 deliveries of the tenant and 10,000 of another.
// Requests are issued open-loop at 500/s — each at its scheduled time,
// whether or not earlier ones finished — and latency counts from that
// scheduled time, so a stall shows in full instead of slowing the load.
//
// Beside the latencies it reports what one request costs in CPU time:
// cpu_us/req for this process (the API and the load generator), pg_us/req
// for the PostgreSQL backends of the API's pool, and client_us/req for the
// load generator alone, measured by the same open loop against a server
// that replays the recorded response without doing anything else. The
// API's own cost is about cpu_us − client_us (the replay server's net/http
// work counts in client_us).
func BenchmarkDeliveriesQueryOpenLoop(b *testing.B) {
	// The pool's connections carry this name, so their backends' CPU time
	// can be told from the rest of the shared server's.
	appName := fmt.Sprintf("ozmon-bench-deliveries-%d", os.Getpid())
	b.Setenv("PGAPPNAME", appName)
	d := newDeployment(b)
	ctx := context.Background()
	a, other := d.tenant("acme"), d.tenant("bravo")
	key, _ := d.key(a, "reader", auth.RoleViewer, time.Time{})
	for _, tenant := range []string{a, other} {
		var batch []store.ExpectedDelivery
		for i := range 10000 {
			batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: fmt.Sprintf("m%d", i%5),
				Network: mainnet, Ledger: uint64(1000 + i), TxHash: fmt.Sprintf("tx%05d", i), Trigger: "hook"},
				TaskID: fmt.Sprintf("task-%s-%d", tenant[:8], i), Channel: "webhook"})
			if len(batch) == 1000 {
				if err := d.st.ExpectDeliveries(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	// One statement gives its rows one created_at; spread them as a live
	// log is (one a second), then refresh the planner's statistics.
	for _, q := range []string{`UPDATE ozmon_deliveries SET created_at = created_at - ledger * interval '1 second'`, `ANALYZE ozmon_deliveries`} {
		if _, err := d.st.Pool().Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	body, _ := json.Marshal(map[string]any{"query": `{ deliveries(first: 50) { nodes { monitor ledger txHash trigger status createdAt } pageInfo { endCursor hasNextPage } } }`})
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512}}
	var recorded atomic.Value // the last response, for the replay server
	post := func(url string) error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(data, []byte(`"hasNextPage":true`)) {
			return fmt.Errorf("status %d: %.200s", resp.StatusCode, data)
		}
		recorded.Store(data)
		return nil
	}
	one := func() error { return post(d.srv.URL + "/graphql") }
	for b.Loop() {
		if err := one(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// Warm the pool's connections and their prepared statements, as a
	// serving process's are.
	for range 100 {
		if err := one(); err != nil {
			b.Fatal(err)
		}
	}
	rate, seconds := benchEnv("OZMON_BENCH_RATE", 500), benchEnv("OZMON_BENCH_SECONDS", 4)
	pgBefore, err := backendsCPU(ctx, d.st.Pool(), appName)
	if err != nil {
		b.Fatal(err)
	}
	cpuBefore := processCPU()
	lat, errs := openLoop(rate, seconds, one)
	cpu := processCPU() - cpuBefore
	pgAfter, err := backendsCPU(ctx, d.st.Pool(), appName)
	if err != nil {
		b.Fatal(err)
	}
	if errs > 0 {
		b.Fatalf("%d requests failed", errs)
	}
	n := float64(rate * seconds)
	b.ReportMetric(float64(rate), "req/s")
	percentiles(b, lat, "")
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu_us/req")
	b.ReportMetric(float64((pgAfter-pgBefore).Microseconds())/n, "pg_us/req")

	replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(recorded.Load().([]byte))
	}))
	defer replay.Close()
	cpuBefore = processCPU()
	if _, errs := openLoop(rate, seconds, func() error { return post(replay.URL) }); errs > 0 {
		b.Fatalf("%d requests to the replay server failed", errs)
	}
	b.ReportMetric(float64((processCPU()-cpuBefore).Microseconds())/n, "client_us/req")
}

// openLoop calls f rate times a second for seconds, each call at its
// scheduled time in its own goroutine, and returns each call's latency
// from its scheduled time.
func openLoop(rate, seconds int, f func() error) ([]time.Duration, int) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range rate * seconds {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		wg.Go(func() {
			err := f()
			d := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			lat = append(lat, d)
		})
	}
	wg.Wait()
	return lat, errs
}

// BenchmarkMatchToFrame: 1,000 matches subscriptions through the API
// (100 tenants × 10 WebSocket connections, each with its own API key's
// tenant), and matches published to the tenants' streams at 200/s, each
// reaching its tenant's 10 subscribers: the latency from publishing (the
// worker's XADD) to the frame read by the client. Run it with -benchtime 1x:
// each run opens the 1,000 connections and runs one paced load.
func BenchmarkMatchToFrame(b *testing.B) {
	const tenants, perTenant = 100, 10
	d := newDeployment(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ids := make([]string, tenants)
	var (
		mu  sync.Mutex
		lat []time.Duration
		got int
		wg  sync.WaitGroup
	)
	for i := range tenants {
		ids[i] = d.tenant(fmt.Sprintf("t%03d", i))
		key, _ := d.key(ids[i], "reader", auth.RoleViewer, time.Time{})
		for range perTenant {
			ws, err := subscribeMatches(ctx, d.wsURL(), key, "")
			if err != nil {
				b.Fatal(err)
			}
			defer ws.close()
			wg.Go(func() {
				for {
					f, err := nextFrame(ctx, ws)
					if err != nil {
						return
					}
					var m struct{ Stellar struct{ Tx string } }
					_ = json.Unmarshal(f.Match, &m)
					sent, err := strconv.ParseInt(m.Stellar.Tx, 10, 64)
					if err != nil {
						continue
					}
					d := time.Since(time.Unix(0, sent))
					mu.Lock()
					lat = append(lat, d)
					got++
					mu.Unlock()
				}
			})
		}
	}
	waitSubscribedB(b, d, tenants*perTenant)
	publish := func(i int) error {
		return d.pub.Publish(ctx, matchEvent(ids[i%tenants], "m", strconv.FormatInt(time.Now().UnixNano(), 10)))
	}
	waitFrames := func(n int) {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			g := got
			mu.Unlock()
			if g >= n {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.Fatalf("frames received: want %d", n)
	}
	// One paced load, however large b.N: the setup dominates anyway.
	const rate = 200
	seconds := benchEnv("OZMON_BENCH_SECONDS", 4)
	var next atomic.Int64
	_, errs := openLoop(rate, seconds, func() error { return publish(int(next.Add(1))) })
	if errs > 0 {
		b.Fatalf("%d publishes failed", errs)
	}
	waitFrames(rate * seconds * perTenant)
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(float64(tenants*perTenant), "subscriptions")
	percentiles(b, lat, "")
}

func waitSubscribedB(b *testing.B, d *deployment, n int) {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for d.hub.Stats().Subscriptions < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d subscriptions on the hub, want %d", d.hub.Stats().Subscriptions, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkAuthenticatedQuery: a trivial query ({ me { actor } }) through
// the full HTTP handler with an API key after its first check (cached),
// with a user's session token, and with the operator's token; and the
// key's check alone on the same authenticator ("check-only", what auth's
// BenchmarkAuthenticateCachedKey measures). Key and session requests also
// pass the tenant's Redis rate check; the operator, in no tenant, does
// not, so key − session is the key's own cost and operator the floor.
func BenchmarkAuthenticatedQuery(b *testing.B) {
	d := newDeployment(b, withKeyCacheTTL(time.Hour))
	tenant := d.tenant("acme")
	key, _ := d.key(tenant, "reader", auth.RoleViewer, time.Time{})
	email, password := d.user(tenant, "alice@acme.example", auth.RoleViewer)
	var login struct{ Login struct{ Token string } }
	d.gql(b, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p, tenant: "acme") { token } }`,
		map[string]any{"e": email, "p": password}).ok(b, &login)
	body, _ := json.Marshal(map[string]any{"query": `{ me { actor } }`})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for _, c := range []struct{ name, token string }{{"key", key}, {"session", login.Login.Token}, {"operator", operatorToken}} {
		b.Run(c.name, func(b *testing.B) {
			one := func() {
				req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+c.token)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			one() // a key's one argon2 check
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				one()
				lat = append(lat, time.Since(start))
			}
			percentiles(b, lat, "")
		})
	}
	b.Run("check-only", func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			if _, err := d.authn.Authenticate(ctx, "Bearer "+key); err != nil {
				b.Fatal(err)
			}
		}
	})
}
