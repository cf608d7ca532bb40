package live_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/live"
)

// BenchmarkFanout1000Subscribers: 1,000 subscriptions over 100 tenants;
// each iteration publishes one event to every tenant and waits until all
// 1,000 subscribers have it. Reports p50/p99 from XADD to channel receipt.
func BenchmarkFanout1000Subscribers(b *testing.B) {
	const tenants, perTenant = 100, 10
	e := newEnv(b, live.WithBuffer(256))
	ctx := b.Context()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	var recv sync.WaitGroup
	for i := range tenants {
		for range perTenant {
			s := e.subscribe(ctx, fmt.Sprintf("tenant-%d", i), live.Filter{}, "")
			wg.Go(func() {
				for ev := range s.Events() {
					d := time.Since(ev.Time)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
					recv.Done()
				}
			})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		recv.Add(tenants * perTenant)
		evs := make([]live.Event, tenants)
		now := time.Now()
		for i := range evs {
			evs[i] = live.Event{TenantID: fmt.Sprintf("tenant-%d", i), Kind: live.KindMatch, Monitor: "m", Status: live.MatchStatus, Time: now}
		}
		if err := e.pub.Publish(context.Background(), evs...); err != nil {
			b.Fatal(err)
		}
		recv.Wait()
	}
	b.StopTimer()
	e.hub.Close()
	wg.Wait()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkIdleSubscriptionMemory: heap held per idle subscription, over
// 10,000 subscriptions spread over 2,000 tenants.
func BenchmarkIdleSubscriptionMemory(b *testing.B) {
	const subs, tenants = 10000, 2000
	e := newEnv(b)
	for b.Loop() {
		ctx, cancel := context.WithCancel(b.Context())
		before := heap()
		all := make([]*live.Subscription, 0, subs)
		for i := range subs {
			all = append(all, e.subscribe(ctx, fmt.Sprintf("tenant-%d", i%tenants), live.Filter{Kind: live.KindMatch}, ""))
		}
		after := heap()
		b.ReportMetric(float64(after-before)/subs, "bytes/sub")
		if st := e.hub.Stats(); st.Feeds != tenants || st.Subscriptions != subs {
			b.Fatalf("stats %+v", st)
		}
		runtime.KeepAlive(all)
		cancel()
		for e.hub.Stats().Feeds > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
