package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
)

// publishMatches publishes n match events of monitor for tenant.
func (e *env) publishMatches(tb testing.TB, tenant, monitor string, from, n int) {
	tb.Helper()
	evs := make([]live.Event, 0, n)
	for i := from; i < from+n; i++ {
		evs = append(evs, live.Event{TenantID: tenant, Kind: live.KindMatch, Monitor: monitor, Network: "stellar_testnet",
			Ledger: uint64(i), Status: live.MatchStatus, Time: time.Now(), Match: json.RawMessage(fmt.Sprintf(`{"Stellar":{"ledger":%d}}`, i))})
	}
	if err := e.pub.Publish(context.Background(), evs...); err != nil {
		tb.Fatalf("publish: %v", err)
	}
}

// subscribeWS opens a WebSocket with token and starts query as id "1".
func subscribeWS(t *testing.T, e *env, token, query string) *websocket.Conn {
	t.Helper()
	c, _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	wsSend(t, c, map[string]any{"type": "connection_init"})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	wsSend(t, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query}})
	return c
}

type matchEvent struct {
	Kind, ID, Message, Monitor string
	Match                      json.RawMessage
}

// nextMatch reads the next frame, which must be a matches event.
func nextMatch(t *testing.T, c *websocket.Conn) matchEvent {
	t.Helper()
	m := wsRead(t, c)
	if m["type"] != "next" {
		t.Fatalf("frame %v, want next", m)
	}
	data, _ := json.Marshal(m["payload"].(map[string]any)["data"].(map[string]any)["matches"])
	var ev matchEvent
	_ = json.Unmarshal(data, &ev)
	return ev
}

// waitFeeds waits until the hub reads n feeds: a subscription is attached
// once its tenant's feed is.
func waitFeeds(t *testing.T, e *env, n int) {
	testkit.WaitUntil(t, 10*time.Second, "the hub's feeds", func() bool { return e.hub.Stats().Subscriptions == n })
}

// TestLiveMatchesFromTheHub: events a worker publishes reach the
// tenant's subscriber through the real hub, filtered by monitor, never
// another tenant's; a reconnect after the connection is killed resumes
// after the last id seen without loss (RESUMED first).
func TestLiveMatchesFromTheHub(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	viewer, _ := e.key(t, e.a, auth.RoleViewer, time.Time{})
	c := subscribeWS(t, e, viewer, `subscription { matches(monitor: "Big swaps") { kind id message monitor match } }`)
	waitFeeds(t, e, 1)
	e.publishMatches(t, e.b, "Big swaps", 900, 2) // tenant B: never seen
	e.publishMatches(t, e.a, "Small swaps", 800, 2)
	e.publishMatches(t, e.a, "Big swaps", 1, 3)
	var seen []matchEvent
	for range 3 {
		ev := nextMatch(t, c)
		if ev.Kind != "EVENT" || ev.Monitor != "Big swaps" || ev.ID == "" {
			t.Fatalf("event %+v", ev)
		}
		seen = append(seen, ev)
	}
	if !strings.Contains(string(seen[0].Match), `"ledger":1`) || !strings.Contains(string(seen[2].Match), `"ledger":3`) {
		t.Fatalf("events out of order or foreign: %+v", seen)
	}
	c.CloseNow() // killed mid-stream
	waitFeeds(t, e, 0)
	e.publishMatches(t, e.a, "Big swaps", 4, 2)

	c2 := subscribeWS(t, e, viewer, fmt.Sprintf(`subscription { matches(monitor: "Big swaps", after: %q) { kind id message monitor match } }`, seen[1].ID))
	if ev := nextMatch(t, c2); ev.Kind != "RESUMED" || !strings.Contains(ev.Message, seen[1].ID) {
		t.Fatalf("first after resume: %+v", ev)
	}
	for _, want := range []int{3, 4, 5} {
		ev := nextMatch(t, c2)
		if ev.Kind != "EVENT" || !strings.Contains(string(ev.Match), fmt.Sprintf(`"ledger":%d`, want)) {
			t.Fatalf("resumed event, want ledger %d: %+v", want, ev)
		}
	}
}

// TestLiveOutsideWindow: a resume id the trimmed stream no longer covers
// gets a GAP notice saying events were missed, then the retained events;
// an id that is not an event id is refused.
func TestLiveOutsideWindow(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	viewer, _ := e.key(t, e.a, auth.RoleViewer, time.Time{})
	e.publishMatches(t, e.a, "Big swaps", 1, 300) // the publisher keeps about 50
	c := subscribeWS(t, e, viewer, `subscription { matches(after: "1-0") { kind id message match } }`)
	gap := nextMatch(t, c)
	if gap.Kind != "GAP" || !strings.Contains(gap.Message, "missed") || gap.ID != "" {
		t.Fatalf("first event %+v, want a GAP notice", gap)
	}
	if ev := nextMatch(t, c); ev.Kind != "EVENT" || strings.Contains(string(ev.Match), `"ledger":1}`) {
		t.Fatalf("after the gap: %+v, want a retained event", ev)
	}

	bad := subscribeWS(t, e, viewer, `subscription { matches(after: "yesterday") { kind } }`)
	m := wsRead(t, bad)
	if !strings.Contains(fmt.Sprint(m["payload"]), CodeBadInput) || !strings.Contains(fmt.Sprint(m["payload"]), "not an event id") {
		t.Fatalf("bad after: %v", m)
	}
	unknown := subscribeWS(t, e, viewer, `subscription { matches(monitor: "nope") { kind } }`)
	if m := wsRead(t, unknown); !strings.Contains(fmt.Sprint(m["payload"]), CodeNotFound) {
		t.Fatalf("unknown monitor: %v", m)
	}
}

// TestHubLiveCutsSlowSubscriber: a subscriber that does not read is cut
// by the hub after its buffer, and the stream ends with an event saying
// so (what the resolver turns into an error frame).
func TestHubLiveCutsSlowSubscriber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hub := live.NewHub(e.rdb, live.WithBuffer(2), live.WithKeyPrefix("slow"))
	defer hub.Close()
	pub := live.NewPublisher(e.rdb, live.WithKeyPrefix("slow"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := NewHubLive(hub).Subscribe(ctx, e.a, TopicMatches, "")
	if err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 10*time.Second, "the feed", func() bool { return hub.Stats().Feeds == 1 })
	for i := range 20 {
		if err := pub.Publish(ctx, live.Event{TenantID: e.a, Kind: live.KindMatch, Monitor: "m", Ledger: uint64(i), Status: live.MatchStatus}); err != nil {
			t.Fatal(err)
		}
	}
	testkit.WaitUntil(t, 10*time.Second, "the slow subscriber cut", func() bool { return hub.Stats().Subscriptions == 0 })
	var events int
	for ev := range streamEvents(ctx, ch) {
		if ev.End != nil {
			if !errors.Is(ev.End, live.ErrSlowSubscriber) {
				t.Fatalf("end = %v", ev.End)
			}
			if events == 0 || events >= 20 {
				t.Fatalf("%d events before the cut", events)
			}
			return
		}
		events++
	}
	t.Fatal("the stream closed without saying why")
}

// endingLive sends one event, then ends the stream with err.
type endingLive struct{ err error }

func (l endingLive) Subscribe(context.Context, string, string, string) (LiveStream, error) {
	return &sliceStream{evs: []LiveEvent{{Kind: EventKindEvent, ID: "1-0", Monitor: "m"}, {End: l.err}}}, nil
}

// TestSlowSubscriberErrorFrame: a stream that ends early reaches the
// client as a graphql-transport-ws error frame with the code, not as a
// plain complete.
func TestSlowSubscriberErrorFrame(t *testing.T) {
	t.Parallel()
	for err, code := range map[error]string{live.ErrSlowSubscriber: CodeSlowSubscriber, &live.OutsideWindowError{After: "1-0"}: CodeOutsideWindow} {
		e := newEnv(t, WithLive(endingLive{err: err}))
		c := subscribeWS(t, e, "a-viewer", `subscription { matches { kind id } }`)
		if ev := nextMatch(t, c); ev.ID != "1-0" {
			t.Fatalf("first: %+v", ev)
		}
		m := wsRead(t, c)
		if m["type"] != "error" || m["id"] != "1" || !strings.Contains(fmt.Sprint(m["payload"]), code) {
			t.Fatalf("after %v: frame %v, want an error frame with %s", err, m, code)
		}
	}
}
