package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/live"
)

// proxy is a TCP proxy in front of the API whose connections a test can
// cut, as a lost network would: the client's socket closes under it.
type proxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	conns   []net.Conn
	wg      sync.WaitGroup
}

func startProxy(tb testing.TB, backend string) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{ln: ln, backend: backend}
	p.wg.Add(1)
	go p.serve()
	tb.Cleanup(func() { _ = ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", p.backend)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); _, _ = io.Copy(b, c); b.Close() }()
		go func() { defer p.wg.Done(); _, _ = io.Copy(c, b); c.Close() }()
	}
}

// cut closes every connection through the proxy; new ones are accepted.
func (p *proxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	n := len(p.conns) / 2
	p.conns = nil
	return n
}

// url is the API's WebSocket endpoint through the proxy.
func (p *proxy) url() string { return "ws://" + p.ln.Addr().String() + "/graphql" }

type liveFrame struct {
	Kind, ID, Message, Monitor string
	Match                      json.RawMessage
}

// subscribeMatches opens a matches subscription after after and returns
// the connection.
func subscribeMatches(ctx context.Context, url, token, after string) (*wsClient, error) {
	ws, err := dialWS(ctx, url, token)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{}
	if after != "" {
		vars["after"] = after
	}
	if err := ws.subscribe(ctx, "m", matchesQ, vars); err != nil {
		ws.close()
		return nil, err
	}
	return ws, nil
}

// nextFrame reads the subscription's next event or notice.
func nextFrame(ctx context.Context, ws *wsClient) (liveFrame, error) {
	m, err := ws.next(ctx)
	if err != nil {
		return liveFrame{}, err
	}
	if m.Type != "next" {
		return liveFrame{}, fmt.Errorf("frame %s %s", m.Type, m.Payload)
	}
	var p struct {
		Data   struct{ Matches liveFrame }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		return liveFrame{}, err
	}
	if len(p.Errors) > 0 {
		return liveFrame{}, fmt.Errorf("errors %+v", p.Errors)
	}
	return p.Data.Matches, nil
}

// TestReconnectingSubscriberMissesNothing: while events keep being
// published, the subscriber's TCP connection is cut twice under it; each
// time it reconnects with the id of the last event it saw and, after a
// RESUMED notice, receives the rest: every event exactly once, in order.
func TestReconnectingSubscriberMissesNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := newDeployment(t)
	tenant := d.tenant("acme")
	key, _ := d.key(tenant, "reader", auth.RoleViewer, time.Time{})
	px := startProxy(t, strings.TrimPrefix(d.srv.URL, "http://"))

	ws, err := subscribeMatches(ctx, px.url(), key, "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ws.close() }()
	waitSubscribed(t, d, 1)

	const total = 300
	cuts := map[int]bool{100: true, 200: true}
	var seen atomic.Int64
	published := make(chan error, 1)
	go func() {
		defer close(published)
		for i := range total {
			if cuts[i] {
				// Cut mid-stream: once the client has read most of what
				// was published, so it is connected and reading.
				for seen.Load() < int64(i-20) && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
				if n := px.cut(); n == 0 {
					published <- fmt.Errorf("cut before event %d: no connection to cut", i)
					return
				}
			}
			if err := d.pub.Publish(ctx, matchEvent(tenant, "m", fmt.Sprintf("tx-%04d", i))); err != nil {
				published <- err
				return
			}
		}
	}()

	var got []string
	last, reconnects, resumed := "", 0, 0
	for len(got) < total {
		f, err := nextFrame(ctx, ws)
		if err != nil {
			if ctx.Err() != nil || reconnects >= 2 {
				t.Fatalf("after %d events and %d reconnects: %v", len(got), reconnects, err)
			}
			// The connection died: resume after the last event seen.
			ws.close()
			reconnects++
			if ws, err = subscribeMatches(ctx, px.url(), key, last); err != nil {
				t.Fatalf("reconnect %d: %v", reconnects, err)
			}
			continue
		}
		switch f.Kind {
		case "RESUMED":
			resumed++
			if !strings.Contains(f.Message, last) {
				t.Errorf("RESUMED notice %q does not name %s", f.Message, last)
			}
			continue
		case "EVENT":
		default:
			t.Fatalf("frame %+v after %d events", f, len(got))
		}
		var m struct{ Stellar struct{ Tx string } }
		if err := json.Unmarshal(f.Match, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Stellar.Tx)
		seen.Store(int64(len(got)))
		last = f.ID
	}
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	if reconnects != 2 || resumed != 2 {
		t.Fatalf("reconnects %d, RESUMED notices %d: want 2 each (the cuts did not land mid-stream)", reconnects, resumed)
	}
	for i, tx := range got {
		if want := fmt.Sprintf("tx-%04d", i); tx != want {
			t.Fatalf("event %d is %s, want %s (lost, repeated or out of order)", i, tx, want)
		}
	}
	// Nothing more: a ping is answered with no event before it.
	if err := ws.send(ctx, map[string]any{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	if m, err := ws.read(ctx); err != nil || m.Type != "pong" {
		t.Fatalf("after the last event: %+v %v, want pong", m, err)
	}
}

// TestResumeOutsideTheWindow: a client resuming from an id the bounded
// stream no longer holds is told plainly (GAP, saying events were
// missed), then receives every retained event in order.
func TestResumeOutsideTheWindow(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := newDeployment(t)
	tenant := d.tenant("acme")
	key, _ := d.key(tenant, "reader", auth.RoleViewer, time.Time{})
	pub := live.NewPublisher(d.rdb, live.WithKeyPrefix(livePrefix), live.WithMaxLen(10))
	if err := pub.Publish(ctx, matchEvent(tenant, "m", "tx-first")); err != nil {
		t.Fatal(err)
	}
	streamKey := livePrefix + ":{" + tenant + "}"
	first := d.rdb.XRange(ctx, streamKey, "-", "+").Val()[0].ID
	// Trimming is approximate (whole stream nodes): publish until the
	// first event is gone.
	n := 0
	for d.rdb.XRange(ctx, streamKey, first, first).Val() != nil && n < 5000 {
		if err := pub.Publish(ctx, matchEvent(tenant, "m", fmt.Sprintf("tx-%04d", n))); err != nil {
			t.Fatal(err)
		}
		n++
	}
	retained := d.rdb.XRange(ctx, streamKey, "-", "+").Val()
	if len(retained) == 0 || retained[0].ID == first || len(retained) >= n+1 {
		t.Fatalf("the stream was not trimmed: %d entries of %d", len(retained), n+1)
	}

	ws, err := subscribeMatches(ctx, d.wsURL(), key, first)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	f, err := nextFrame(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != "GAP" || !strings.Contains(f.Message, "missed") || !strings.Contains(f.Message, first) {
		t.Fatalf("first frame %+v, want a GAP notice saying events after %s were missed", f, first)
	}
	for i, e := range retained {
		f, err := nextFrame(ctx, ws)
		if err != nil {
			t.Fatalf("retained event %d: %v", i, err)
		}
		if f.Kind != "EVENT" || f.ID != e.ID {
			t.Fatalf("frame %d = %+v, want retained event %s", i, f, e.ID)
		}
	}

	// A resume id the stream never issued (after its newest) is a gap too;
	// a malformed one is refused.
	ws2, err := subscribeMatches(ctx, d.wsURL(), key, "99999999999999-0")
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.close()
	if f, err := nextFrame(ctx, ws2); err != nil || f.Kind != "GAP" {
		t.Fatalf("resume from the future: %+v %v, want GAP", f, err)
	}
	ws3, err := subscribeMatches(ctx, d.wsURL(), key, "not-an-id")
	if err != nil {
		t.Fatal(err)
	}
	defer ws3.close()
	m, err := ws3.next(ctx)
	if err != nil || (m.Type != "error" && m.Type != "next") || !strings.Contains(string(m.Payload), "BAD_USER_INPUT") || !strings.Contains(string(m.Payload), "not an event id") {
		t.Fatalf("malformed resume id: %s %s %v, want errors BAD_USER_INPUT saying it is not an event id", m.Type, m.Payload, err)
	}
}

// waitSubscribed waits until the hub has n subscriptions: a subscription
// is live only once registered, and graphql-transport-ws has no
// acknowledgement of a subscribe.
func waitSubscribed(t *testing.T, d *deployment, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.hub.Stats().Subscriptions < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions on the hub, want %d", d.hub.Stats().Subscriptions, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
