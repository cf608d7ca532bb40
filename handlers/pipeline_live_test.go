package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/live"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

// TestMatchAndOutcomeLandOnTheTenantsLiveStream: a match in the pipeline
// and its delivery outcome are published to the tenant's stream, and a
// hub subscriber receives both; no secret is in either.
func TestMatchAndOutcomeLandOnTheTenantsLiveStream(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	rdb := redis.NewClient(p.rdbOpts)
	t.Cleanup(func() { _ = rdb.Close() })
	p.configure = func(c *handlers.Config) {
		c.Live = live.NewPublisher(rdb, live.WithKeyPrefix("test:live"), live.WithMetrics(c.Metrics))
	}
	tg := rareTargets(blocks, 1)[0]
	var tx string
	for h := range tg.txs {
		tx = h
	}
	cfg, raw := tenantConfig(t, "watcher", tg, "", p.sink.URL())
	id := p.importTenant("watcher", cfg, raw, "")

	hub := live.NewHub(rdb, live.WithKeyPrefix("test:live"))
	t.Cleanup(hub.Close)
	sub, err := hub.Subscribe(t.Context(), id, live.Filter{}, "")
	if err != nil {
		t.Fatal(err)
	}
	p.startWorker(5, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)
	p.waitDelivered(1, time.Minute)

	var got []*live.Event
	timeout := time.After(30 * time.Second)
	for len(got) < 2 {
		select {
		case ev := <-sub.Events():
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("live events received: %d of 2 (%v)", len(got), sub.Err())
		}
	}
	m, d := got[0], got[1]
	if m.Kind != live.KindMatch || m.Monitor != "watcher" || m.Network != mainnet || m.TxHash != tx || m.Ledger != tg.txs[tx] {
		t.Fatalf("match event = %+v", m)
	}
	var doc struct {
		Stellar struct {
			Monitor struct{ Name string } `json:"monitor"`
		}
	}
	if err := json.Unmarshal(m.Match, &doc); err != nil || doc.Stellar.Monitor.Name != "watcher" {
		t.Fatalf("match event's MonitorMatch JSON %s: %v", m.Match, err)
	}
	if d.Kind != live.KindDelivery || d.Status != "delivered" || d.Trigger != "hook" || d.TxHash != tx || !strings.HasPrefix(d.NotificationID, "ntf_") {
		t.Fatalf("delivery event = %+v", d)
	}
	// The stream holds nothing but these, and no secret.
	entries := rdb.XRange(context.Background(), "test:live:{"+id+"}", "-", "+").Val()
	if len(entries) != 2 {
		t.Fatalf("stream holds %d entries, want 2", len(entries))
	}
	for _, e := range entries {
		js := e.Values["e"].(string)
		if strings.Contains(js, p.sink.URL()) || strings.Contains(js, "127.0.0.1") || strings.Contains(js, "s3cret") {
			t.Fatalf("a live event carries a secret: %s", js)
		}
	}
}

// TestLivePublishingFailureDoesNotFailThePipeline: the live stream's Redis
// is unreachable; every notification is still delivered, and the lost
// events are counted.
func TestLivePublishingFailureDoesNotFailThePipeline(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = dead.Close() })
	p.configure = func(c *handlers.Config) {
		c.Live = live.NewPublisher(dead, live.WithMetrics(c.Metrics), live.WithTimeout(100*time.Millisecond))
	}
	targets := rareTargets(blocks, 1)
	for i, tg := range targets[:3] {
		name := "w" + string(rune('a'+i))
		cfg, raw := tenantConfig(t, name, tg, "", p.sink.URL())
		p.importTenant(name, cfg, raw, "")
	}
	_, m := p.startWorkerM(5, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)
	p.waitDelivered(3, time.Minute)
	// 3 matches and 3 outcomes, none published.
	if n := testutil.ToFloat64(m.Live.PublishFailures); n < 6 {
		t.Fatalf("publish failures counted = %v, want ≥ 6", n)
	}
	if n := testutil.ToFloat64(m.Live.Published); n != 0 {
		t.Fatalf("published = %v through an unreachable Redis", n)
	}
}
