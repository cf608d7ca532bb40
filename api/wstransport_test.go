package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/internal/testkit"
)

// pushLive hands out streams that stay open until their context ends and
// receive what the test pushes.
type pushLive struct {
	mu      sync.Mutex
	streams []*pushStream
}

func (l *pushLive) Subscribe(ctx context.Context, _, _, _ string) (LiveStream, error) {
	s := &pushStream{ctx: ctx}
	l.mu.Lock()
	l.streams = append(l.streams, s)
	l.mu.Unlock()
	return s, nil
}

// waiting is how many streams a subscriber waits on (Notify was called).
func (l *pushLive) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.streams {
		s.mu.Lock()
		if s.notify != nil {
			n++
		}
		s.mu.Unlock()
	}
	return n
}

type pushStream struct {
	ctx    context.Context
	mu     sync.Mutex
	evs    []LiveEvent
	notify func()
}

func (s *pushStream) Notify(f func()) {
	s.mu.Lock()
	s.notify = f
	s.mu.Unlock()
	context.AfterFunc(s.ctx, f)
	f()
}

func (s *pushStream) push(ev LiveEvent) {
	s.mu.Lock()
	s.evs = append(s.evs, ev)
	f := s.notify
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

func (s *pushStream) Next() (LiveEvent, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.evs) > 0 {
		ev := s.evs[0]
		s.evs = s.evs[1:]
		return ev, true, false
	}
	return LiveEvent{}, false, s.ctx.Err() != nil
}

// settledGoroutines is the goroutine count once it stops moving (other
// tests' and this one's short-lived goroutines have ended).
func settledGoroutines(t *testing.T) int {
	t.Helper()
	last, same := -1, 0
	deadline := time.Now().Add(10 * time.Second)
	for same < 5 && time.Now().Before(deadline) {
		n := runtime.NumGoroutine()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	return last
}

// TestIdleSubscriptionsHoldNoGoroutine: 50 subscriptions open on one
// connection add no goroutine while idle (gqlgen's transport held two per
// subscription plus two per connection); an event pushed to each later
// still reaches the client, on its subscription's id, and complete ends
// them. Not parallel: it counts the process's goroutines.
func TestIdleSubscriptionsHoldNoGoroutine(t *testing.T) {
	pl := &pushLive{}
	e := newEnv(t, WithLive(pl))
	c, _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer a-viewer"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init"})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	const subs = 50
	before := settledGoroutines(t)
	for i := range subs {
		wsSend(t, c, map[string]any{"id": fmt.Sprint(i), "type": "subscribe", "payload": map[string]any{
			"query": `subscription { matches { kind id } }`}})
	}
	testkit.WaitUntil(t, 10*time.Second, "every subscription waiting on its stream", func() bool { return pl.waiting() == subs })
	idle := settledGoroutines(t)
	t.Logf("goroutines: %d before, %d with %d idle subscriptions", before, idle, subs)
	if idle-before > 3 {
		t.Fatalf("%d idle subscriptions added %d goroutines, want none (a few of slack for the test's own)", subs, idle-before)
	}

	// Each stream gets an event of its own: each subscription must
	// receive exactly one, and every event must arrive once.
	for i, s := range pl.streams {
		s.push(LiveEvent{Kind: EventKindEvent, ID: fmt.Sprintf("%d-0", i)})
	}
	bySub, events := map[string]string{}, map[string]bool{}
	for range subs {
		m := wsRead(t, c)
		if m["type"] != "next" {
			t.Fatalf("frame %v, want next", m)
		}
		ev := m["payload"].(map[string]any)["data"].(map[string]any)["matches"].(map[string]any)
		id, evID := m["id"].(string), ev["id"].(string)
		if prev, dup := bySub[id]; dup || events[evID] {
			t.Fatalf("subscription %s received %s after %q: an event went to two subscriptions or one got two", id, evID, prev)
		}
		bySub[id], events[evID] = evID, true
	}
	for i := range subs {
		wsSend(t, c, map[string]any{"id": fmt.Sprint(i), "type": "complete"})
	}
	testkit.WaitUntil(t, 10*time.Second, "the streams' contexts ended", func() bool {
		for _, s := range pl.streams {
			if s.ctx.Err() == nil {
				return false
			}
		}
		return true
	})
	// Completed by the client: nothing more is sent, a ping still answers.
	wsSend(t, c, map[string]any{"type": "ping"})
	if m := wsRead(t, c); m["type"] != "pong" {
		t.Fatalf("after complete: %v, want pong", m)
	}
}

// closeStatus reads until the server closes c and returns the close code
// and reason.
func closeStatus(t *testing.T, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("read: %v, want a close frame", err)
			}
			return ce.Code, ce.Reason
		}
		if !strings.Contains(string(data), `"ping"`) && !strings.Contains(string(data), `"connection_ack"`) {
			t.Fatalf("frame %s, want the connection closed", data)
		}
	}
}

// TestWebSocketProtocolClosures: what graphql-transport-ws says to close
// a connection with, each case on a fresh connection.
func TestWebSocketProtocolClosures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}), withWebSocketTimings(300*time.Millisecond, time.Minute))
	init := map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer a-viewer"}}
	sub := func(id string) map[string]any {
		return map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": `subscription { matches { kind } }`}}
	}
	for _, c := range []struct {
		name   string
		send   []map[string]any
		code   websocket.StatusCode
		reason string
	}{
		{"no init in time", nil, closeInitTimeout, "initialisation timeout"},
		{"subscribe before init", []map[string]any{sub("1")}, closeUnauthorized, "Unauthorized"},
		{"init twice", []map[string]any{init, init}, closeTooManyInitsReq, "Too many initialisation requests"},
		{"duplicate id", []map[string]any{init, sub("1"), sub("1")}, closeDuplicateID, "Subscriber for 1 already exists"},
		{"unknown type", []map[string]any{init, {"type": "start", "id": "1"}}, closeBadRequest, "unknown type"},
		{"bad credential", []map[string]any{{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer nope"}}}, closeForbidden, CodeUnauthenticated},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws, _, err := dialWS(t, e, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			for _, m := range c.send {
				wsSend(t, ws, m)
			}
			if code, reason := closeStatus(t, ws); code != c.code || !strings.Contains(reason, c.reason) {
				t.Fatalf("closed with %d %q, want %d saying %q", code, reason, c.code, c.reason)
			}
		})
	}

	// A message over the read limit closes the connection (1009).
	ws, _, err := dialWS(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	wsSend(t, ws, init)
	if m := wsRead(t, ws); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	big := strings.Repeat("x", wsReadLimit+1)
	_ = ws.Write(context.Background(), websocket.MessageText, []byte(`{"type":"ping","payload":{"x":"`+big+`"}}`))
	if code, _ := closeStatus(t, ws); code != websocket.StatusMessageTooBig {
		t.Fatalf("closed with %d after a message over %d bytes, want %d", code, wsReadLimit, websocket.StatusMessageTooBig)
	}
}

// TestWebSocketKeepAlive: an admitted connection is pinged every
// interval, and a pong keeps it going.
func TestWebSocketKeepAlive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}), withWebSocketTimings(time.Minute, 100*time.Millisecond))
	c, _, err := dialWS(t, e, http.Header{"Authorization": {"Bearer a-viewer"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init"})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	for range 2 {
		if m := wsRead(t, c); m["type"] != "ping" {
			t.Fatalf("frame %v, want a keep-alive ping", m)
		}
		wsSend(t, c, map[string]any{"type": "pong"})
	}
}

// TestOlderGraphQLWSProtocol: a client offering only graphql-ws is
// still served, by gqlgen's transport.
func TestOlderGraphQLWSProtocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql"
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if c.Subprotocol() != "graphql-ws" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	wsSend(t, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer a-viewer"}})
	if m := wsRead(t, c); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
}
