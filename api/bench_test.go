package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkDeliveriesQuery: the deliveries query (first 50) over HTTP on
// one API server against real PostgreSQL holding 10,000 delivery rows of
// the tenant (and 10,000 of another), authentication and the Redis rate
// check included. After the ns/op loop, a paced load of 500 requests/s for
// 2 s reports the p50 and p99 latency.
func BenchmarkDeliveriesQuery(b *testing.B) {
	e := newEnv(b)
	e.deliveries(b, e.a, 10000)
	e.deliveries(b, e.b, 10000)
	// Records written by one statement share created_at; spread them as
	// a live log is (one delivery a second), then refresh the statistics.
	for _, q := range []string{`UPDATE tenants SET max_rpc_requests_per_minute = 1000000`,
		`UPDATE ozmon_deliveries SET created_at = created_at - ledger * interval '1 second'`, `ANALYZE ozmon_deliveries`} {
		if _, err := e.st.Pool().Exec(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	body, _ := json.Marshal(map[string]any{"query": deliveriesQuery, "variables": map[string]any{"first": 50}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	one := func() error {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer a-owner")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return nil
	}
	for b.Loop() {
		if err := one(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	const rate, seconds = 500, 2
	var (
		mu  sync.Mutex
		lat []time.Duration
		wg  sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for range rate * seconds {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if err := one(); err != nil {
				b.Error(err)
				return
			}
			d := time.Since(start)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms@500rps")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms@500rps")
	}
}
