package api

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/store"
)

// fakeLive is a trivial subscription source: each Subscribe gets the
// tenant's events, then stays open until the context ends.
type fakeLive map[string][]LiveEvent

func (f fakeLive) Subscribe(ctx context.Context, tenantID, _, _ string) (LiveStream, error) {
	return &sliceStream{evs: f[tenantID], open: ctx}, nil
}

// sliceStream is a LiveStream of given events; after them it ends, or,
// with open set, stays open until open ends.
type sliceStream struct {
	mu   sync.Mutex
	evs  []LiveEvent
	open context.Context
}

func (s *sliceStream) Notify(f func()) {
	if s.open != nil {
		context.AfterFunc(s.open, f)
	}
	f()
}

func (s *sliceStream) Next() (LiveEvent, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.evs) > 0 {
		ev := s.evs[0]
		s.evs = s.evs[1:]
		return ev, true, false
	}
	return LiveEvent{}, false, s.open == nil || s.open.Err() != nil
}

// streamEvents ranges over src's events until it ends or ctx does,
// waiting as the transport does: for src's Notify.
func streamEvents(ctx context.Context, src LiveStream) iter.Seq[LiveEvent] {
	return func(yield func(LiveEvent) bool) {
		wake := make(chan struct{}, 1)
		src.Notify(func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		for {
			ev, ok, ended := src.Next()
			switch {
			case ended:
				return
			case ok:
				if !yield(ev) {
					return
				}
				continue
			}
			select {
			case <-wake:
			case <-ctx.Done():
				return
			}
		}
	}
}

func dialWS(t *testing.T, e *env, header http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql"
	return websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
}

func wsSend(t *testing.T, c *websocket.Conn, msg map[string]any) {
	t.Helper()
	data, _ := json.Marshal(msg)
	if err := c.Write(context.Background(), websocket.MessageText, data); err != nil {
		t.Fatalf("ws write: %v", err)
	}
}

func wsRead(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("ws read: %v", err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m
}

// TestSubscriptionOverWebSocket speaks graphql-transport-ws: init with the
// credential in the payload, ack, subscribe, next (only the caller's
// tenant's events, filtered by monitor), complete.
func TestSubscriptionOverWebSocket(t *testing.T) {
	t.Parallel()
	var e *env
	live := fakeLive{}
	e = newEnv(t, WithLive(live))
	live[e.a] = []LiveEvent{
		{Kind: EventKindResumed, Message: "resumed after 1-0"},
		{Kind: EventKindEvent, ID: "2-0", Monitor: "Big swaps", Match: json.RawMessage(`{"EVM":null,"Stellar":{"ledger":7}}`)},
		{Kind: EventKindEvent, ID: "3-0", Monitor: "Small swaps", Match: json.RawMessage(`{"x":1}`)},
	}
	live[e.b] = []LiveEvent{{Kind: EventKindEvent, ID: "9-0", Monitor: "Big swaps", Match: json.RawMessage(`{"tenant":"B"}`)}}
	c, _, err := dialWS(t, e, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer a-viewer"}})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("after init: %v", m)
	}
	wsSend(t, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { matches(monitor: "Big swaps", after: "1-0") { kind id message monitor match } }`}})
	var got []map[string]any
	for len(got) < 2 {
		m := wsRead(t, c)
		if m["type"] != "next" {
			t.Fatalf("frame %v, want next", m)
		}
		got = append(got, m["payload"].(map[string]any)["data"].(map[string]any)["matches"].(map[string]any))
	}
	if got[0]["kind"] != "RESUMED" || got[1]["kind"] != "EVENT" || got[1]["id"] != "2-0" || got[1]["monitor"] != "Big swaps" {
		t.Fatalf("events = %v", got)
	}
	wsSend(t, c, map[string]any{"id": "1", "type": "complete"})
	// After complete, a ping still answers: the connection is alive and
	// no other event (Small swaps's, tenant B's) was sent.
	wsSend(t, c, map[string]any{"type": "ping"})
	for {
		m := wsRead(t, c)
		if m["type"] == "pong" {
			break
		}
		// The server may confirm the completion; any event is a leak.
		if m["type"] != "complete" {
			t.Fatalf("after complete: %v, want pong (no further events)", m)
		}
	}
}

// TestWebSocketRefusals: a foreign Origin is refused before the upgrade;
// a connection without a credential, or with a bad one, is closed at
// init.
func TestWebSocketRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}), WithAllowedOrigins("https://app.example"))
	_, resp, err := dialWS(t, e, http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", resp, err)
	}
	c, _, err := dialWS(t, e, http.Header{"Origin": {"https://app.example"}})
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	defer c.CloseNow()
	for _, payload := range []map[string]any{{}, {"Authorization": "Bearer nope"}} {
		c, _, err := dialWS(t, e, nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		wsSend(t, c, map[string]any{"type": "connection_init", "payload": payload})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, data, err := c.Read(ctx)
		cancel()
		if err == nil && strings.Contains(string(data), "connection_ack") {
			t.Fatalf("init with %v acknowledged", payload)
		}
		c.CloseNow()
	}
}

// TestSubscriptionIsolationAndHeaderAuth: a connection authenticated by
// the upgrade's Authorization header receives its own tenant's delivery
// events only, filtered by status; the operator, in no tenant, gets
// NOT_FOUND.
func TestSubscriptionIsolationAndHeaderAuth(t *testing.T) {
	t.Parallel()
	live := fakeLive{}
	e := newEnv(t, WithLive(live))
	live[e.a] = []LiveEvent{{Kind: EventKindEvent, ID: "1-0", Delivery: &store.Delivery{Key: store.DeliveryKey{Monitor: "a-mon"}, Status: store.DeliveryFailed}}}
	live[e.b] = []LiveEvent{
		{Kind: EventKindGap, Message: "resume id 0-1 fell outside the retained window"},
		{Kind: EventKindEvent, ID: "2-0", Delivery: &store.Delivery{Key: store.DeliveryKey{Monitor: "b-delivered"}, Status: store.DeliveryDelivered}},
		{Kind: EventKindEvent, ID: "3-0", Delivery: &store.Delivery{Key: store.DeliveryKey{Monitor: "b-failed"}, Status: store.DeliveryFailed}},
	}
	c, _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer b-owner"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init"})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	wsSend(t, c, map[string]any{"id": "s", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { deliveries(status: FAILED, after: "0-1") { kind id message delivery { monitor status } } }`}})
	var got []string
	for len(got) < 2 {
		m := wsRead(t, c)
		if m["type"] != "next" {
			t.Fatalf("frame %v", m)
		}
		ev := m["payload"].(map[string]any)["data"].(map[string]any)["deliveries"].(map[string]any)
		s := ev["kind"].(string)
		if d, ok := ev["delivery"].(map[string]any); ok {
			s += ":" + d["monitor"].(string)
		}
		got = append(got, s)
	}
	if got[0] != "GAP" || got[1] != "EVENT:b-failed" {
		t.Fatalf("events = %v, want GAP then B's failed delivery only", got)
	}

	op, _, err := dialWS(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer op.CloseNow()
	wsSend(t, op, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer operator"}})
	wsRead(t, op)
	wsSend(t, op, map[string]any{"id": "o", "type": "subscribe", "payload": map[string]any{"query": `subscription { matches { kind } }`}})
	m := wsRead(t, op)
	if !strings.Contains(fmt.Sprint(m["payload"]), CodeNotFound) || strings.Contains(fmt.Sprint(m["payload"]), "kind:") {
		t.Fatalf("operator subscription: %v", m)
	}
}

// TestWebSocketOperationsAreRateLimited: operations sent over one
// WebSocket count against the tenant's limit one by one, as HTTP
// requests do.
func TestWebSocketOperationsAreRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}))
	if _, err := e.st.Pool().Exec(context.Background(), `UPDATE tenants SET max_rpc_requests_per_minute = 3 WHERE id = $1`, e.a); err != nil {
		t.Fatal(err)
	}
	c, _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer a-owner"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init"}) // the 1st call
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	var codes []string
	for i := range 3 {
		id := fmt.Sprint(i)
		wsSend(t, c, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": `{ me { actor } }`}})
		for {
			m := wsRead(t, c)
			if m["type"] == "complete" {
				break
			}
			if strings.Contains(fmt.Sprint(m["payload"]), CodeRateLimited) {
				codes = append(codes, CodeRateLimited)
			} else {
				codes = append(codes, "ok")
			}
		}
	}
	if strings.Join(codes, ",") != "ok,ok,RATE_LIMITED" {
		t.Fatalf("answers = %v, want ok,ok,RATE_LIMITED (the connection counted first)", codes)
	}
}
