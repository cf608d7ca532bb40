package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/redis/go-redis/v9"
)

// env is one test's Redis database, a publisher and a hub on it.
type env struct {
	t    testing.TB
	opts *redis.Options
	rdb  *redis.Client
	pub  *live.Publisher
	hub  *live.Hub
	m    *metrics.Metrics
}

func newEnv(t testing.TB, opts ...live.Option) *env {
	t.Helper()
	ro := testkit.Redis(t)
	e := &env{t: t, opts: ro, rdb: redis.NewClient(ro), m: metrics.New()}
	t.Cleanup(func() { _ = e.rdb.Close() })
	opts = append([]live.Option{live.WithKeyPrefix("test:live"), live.WithMetrics(e.m)}, opts...)
	e.pub = live.NewPublisher(e.rdb, opts...)
	e.hub = live.NewHub(e.rdb, opts...)
	t.Cleanup(e.hub.Close)
	return e
}

// match is a numbered match event of tenant's monitor.
func match(tenant, monitor string, n int) live.Event {
	return live.Event{TenantID: tenant, Kind: live.KindMatch, Monitor: monitor, Network: "stellar_mainnet", Ledger: uint64(n),
		TxHash: fmt.Sprintf("tx%d", n), Status: live.MatchStatus, Time: time.Unix(1700000000, 0).UTC(),
		Match: json.RawMessage(fmt.Sprintf(`{"Stellar":{"n":%d}}`, n))}
}

func delivery(tenant, monitor, status string, n int) live.Event {
	return live.Event{TenantID: tenant, Kind: live.KindDelivery, Monitor: monitor, Network: "stellar_mainnet", Ledger: uint64(n),
		TxHash: fmt.Sprintf("tx%d", n), Trigger: "hook", Status: status, NotificationID: fmt.Sprintf("ntf_%d", n), Time: time.Unix(1700000000, 0).UTC()}
}

func (e *env) publish(evs ...live.Event) {
	e.t.Helper()
	if err := e.pub.Publish(context.Background(), evs...); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) subscribe(ctx context.Context, tenant string, f live.Filter, after string) *live.Subscription {
	e.t.Helper()
	s, err := e.hub.Subscribe(ctx, tenant, f, after)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// receive takes n events from s, failing after a generous wait.
func receive(t testing.TB, s *live.Subscription, n int) []*live.Event {
	t.Helper()
	var got []*live.Event
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				t.Fatalf("subscription closed after %d of %d events: %v", len(got), n, s.Err())
			}
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("received %d of %d events", len(got), n)
		}
	}
	return got
}

// quiet asserts s receives nothing more for a moment (a negative check:
// the events that must not arrive were published before).
func quiet(t testing.TB, s *live.Subscription) {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if ok {
			t.Fatalf("unexpected event %+v", ev)
		}
	case <-time.After(200 * time.Millisecond):
	}
}
