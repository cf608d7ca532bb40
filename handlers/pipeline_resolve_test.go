package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

// pdEvent is what the sink, playing PagerDuty's Events API, received.
type pdEvent struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	at          time.Time
	status      int
}

// TestPagerDutyIncidentsOpenOnceAndAutoResolve runs the pipeline with a
// PagerDuty trigger (auto_resolve_after 2 s) against a local receiver
// playing PagerDuty: PagerDuty throttles the first event (429,
// Retry-After), the retry carries the same dedup_key, so each notification
// opens one incident; the worker that delivered them stops, another one
// starts, and each incident is resolved, by its own dedup_key, once the
// monitor has had no match for 2 s.
func TestPagerDutyIncidentsOpenOnceAndAutoResolve(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	accepted := ozmontest.SinkResponse{Status: http.StatusAccepted, Body: `{"status":"success","message":"Event processed"}`}
	p := newPipeline(t, dir, ozmontest.SinkRateLimited(1, "1"), ozmontest.SinkDefault(accepted))
	p.configure = func(c *handlers.Config) {
		c.ChannelOptions = append(c.ChannelOptions, notify.PagerDutyBaseURL(p.sink.URL()))
	}
	tg := rareTargets(blocks, 3)[0]
	cfg, raw := tenantConfig(t, "oncall", tg, "", p.sink.URL())
	raw.Triggers["hook"] = json.RawMessage(`{"name":"hook","trigger_type":"pagerduty","config":{
		"routing_key":{"type":"plain","value":"R0UT1NGKEY0000000000000000000001"},
		"message":{"title":"${monitor.name}","body":"${transaction.hash}"},
		"auto_resolve_after":{"secs":2,"nanos":0},
		"retry_policy":{"max_retries":3,"initial_backoff":200,"max_backoff":1000,"jitter":"none"}}}`)
	cfg.Triggers["hook"] = parseTrigger(t, raw.Triggers["hook"])
	p.importTenant("oncall", cfg, raw, "")
	stop := p.startWorker(5, nil)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)

	want := len(tg.txs)
	// want triggers, one of them twice (the throttled attempt), then want resolves.
	if _, err := p.sink.WaitFor(want+1, time.Minute); err != nil {
		t.Fatalf("waiting for the trigger events: %v (got %d)", err, p.sink.Count())
	}
	stop() // the timers must outlive the worker that armed them
	p.startWorker(5, nil)
	if _, err := p.sink.WaitFor(2*want+1, time.Minute); err != nil {
		t.Fatalf("waiting for the resolve events: %v (got %d)", err, p.sink.Count())
	}
	time.Sleep(3 * time.Second) // a duplicate resolve or trigger would arrive by now
	reqs := p.sink.Requests()

	var events []pdEvent
	for i, r := range reqs {
		if r.Path != "/v2/enqueue" || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("request %d: %s %s", i, r.Path, r.Header.Get("Content-Type"))
		}
		var e pdEvent
		if err := json.Unmarshal(r.Body, &e); err != nil {
			t.Fatal(err)
		}
		e.at, e.status = r.At, http.StatusAccepted
		if i == 0 {
			e.status = http.StatusTooManyRequests
		}
		if e.RoutingKey != "R0UT1NGKEY0000000000000000000001" || e.DedupKey == "" {
			t.Fatalf("event %d: %+v", i, e)
		}
		events = append(events, e)
	}
	triggers, resolves := map[string]int{}, map[string]time.Time{}
	var lastTrigger time.Time
	for _, e := range events {
		switch e.EventAction {
		case "trigger":
			triggers[e.DedupKey]++
			lastTrigger = e.at
		case "resolve":
			if _, dup := resolves[e.DedupKey]; dup {
				t.Fatalf("incident %s resolved twice", e.DedupKey)
			}
			resolves[e.DedupKey] = e.at
		default:
			t.Fatalf("event_action %q", e.EventAction)
		}
	}
	if len(triggers) != want || len(resolves) != want {
		t.Fatalf("%d incidents opened, %d resolved; want %d each (%v)", len(triggers), len(resolves), want, triggers)
	}
	if retried := triggers[events[0].DedupKey]; retried != 2 {
		t.Fatalf("the throttled notification was sent %d times, want 2 with one dedup_key", retried)
	}
	for key, at := range resolves {
		if triggers[key] == 0 {
			t.Fatalf("resolved %s, which was never opened", key)
		}
		if quiet := at.Sub(lastTrigger); quiet < 2*time.Second {
			t.Fatalf("incident %s resolved %s after the monitor's last match, before its 2s auto_resolve_after", key, quiet)
		}
	}
}

// TestAutoResolveWaitsForTheMonitorToGoQuiet drives the handlers by hand:
// notification A is delivered, B (same monitor and trigger) 1.5 s later;
// A's timer, due 2 s after A, finds the monitor matched since and re-arms
// for 2 s after B instead of resolving; run then, it resolves A, by A's
// dedup_key. Delivering A again (a replay) arms nothing new.
func TestAutoResolveWaitsForTheMonitorToGoQuiet(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir, ozmontest.SinkDefault(ozmontest.SinkResponse{Status: http.StatusAccepted}))
	p.configure = func(c *handlers.Config) {
		c.ChannelOptions = append(c.ChannelOptions, notify.PagerDutyBaseURL(p.sink.URL()))
	}
	tg := rareTargets(blocks, 1)[0]
	cfg, raw := tenantConfig(t, "quiet", tg, "", p.sink.URL())
	raw.Triggers["hook"] = json.RawMessage(`{"name":"hook","trigger_type":"pagerduty","config":{
		"routing_key":{"type":"plain","value":"R0UT1NGKEY0000000000000000000002"},
		"message":{"title":"${monitor.name}","body":"${transaction.hash}"},"auto_resolve_after":2000}}`)
	cfg.Triggers["hook"] = parseTrigger(t, raw.Triggers["hook"])
	id := p.importTenant("quiet", cfg, raw, "")
	rdb := redis.NewClient(p.rdbOpts)
	defer rdb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, _, client := p.newHandlers(ctx, rdb, metrics.New())
	defer client.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	defer insp.Close()
	q := tasks.NotifyQueue(tasks.TierDefault)

	deliver := func(tx string, ledger uint64) tasks.Deliver {
		d := tasks.Deliver{TenantID: id, Monitor: "quiet", Network: mainnet, Ledger: ledger, TxHash: tx, Trigger: "hook", Tier: tasks.TierDefault,
			Vars: map[string]string{"monitor.name": "quiet", "transaction.hash": tx}}
		task, _ := tasks.NewTask(d)
		if err := h.Deliver(ctx, task); err != nil {
			t.Fatal(err)
		}
		return d
	}
	scheduled := func() map[string]tasks.Resolve {
		infos, err := insp.ListScheduledTasks(q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]tasks.Resolve{}
		for _, in := range infos {
			var r tasks.Resolve
			if in.Type == tasks.TypeResolve && json.Unmarshal(in.Payload, &r) == nil {
				out[in.ID] = r
			}
		}
		return out
	}
	a := deliver("aaaa", 1)
	timers := scheduled()
	timerA, ok := timers["resolve:"+id+":"+a.NotificationID()]
	if len(timers) != 1 || !ok {
		t.Fatalf("timers after A: %v", timers)
	}
	deliver("aaaa", 1) // a replay: delivered already, nothing new armed
	if n := len(scheduled()); n != 1 {
		t.Fatalf("%d timers after a replay, want 1", n)
	}
	time.Sleep(1500 * time.Millisecond)
	b := deliver("bbbb", 2)
	time.Sleep(600 * time.Millisecond) // A's 2 s are over; B's are not

	run := func(r tasks.Resolve) {
		task, _ := tasks.NewTask(r)
		if err := h.Resolve(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	run(timerA)
	if n := p.sink.Count(); n != 2 {
		t.Fatalf("receiver got %d requests, want A's and B's triggers only", n)
	}
	var rearmed *tasks.Resolve
	for _, r := range scheduled() {
		if r.NotificationID == a.NotificationID() && !r.Due.IsZero() {
			rearmed = &r
		}
	}
	if rearmed == nil || rearmed.Due.Before(timerA.SentAt.Add(3500*time.Millisecond)) {
		t.Fatalf("A's timer not re-armed for 2 s after B: %+v", rearmed)
	}
	time.Sleep(time.Until(rearmed.Due))
	run(*rearmed)
	reqs := p.sink.Requests()
	if len(reqs) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(reqs))
	}
	var e pdEvent
	if err := json.Unmarshal(reqs[2].Body, &e); err != nil {
		t.Fatal(err)
	}
	if e.EventAction != "resolve" || e.DedupKey != a.NotificationID() || e.DedupKey == b.NotificationID() {
		t.Fatalf("third event %+v, want the resolve of A (%s)", e, a.NotificationID())
	}
}
