package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/live"
)

// liveConn is the page's WebSocket: /console/live/ws with the session's
// cookie, speaking graphql-transport-ws to the API behind it.
type liveConn struct {
	t *testing.T
	c *websocket.Conn
}

func (b *browser) dialLive(t *testing.T, origin string) (*liveConn, *http.Response, error) {
	u, _ := url.Parse(b.e.srv.URL + "/console/")
	h := http.Header{"Origin": {origin}}
	for _, ck := range b.c.Jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.e.srv.URL, "http")+"/console/live/ws",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	return &liveConn{t: t, c: c}, resp, nil
}

func (l *liveConn) send(msg map[string]any) {
	data, _ := json.Marshal(msg)
	if err := l.c.Write(context.Background(), websocket.MessageText, data); err != nil {
		l.t.Fatalf("ws write: %v", err)
	}
}

// next reads frames until one of type next, skipping pings.
func (l *liveConn) next() (kind, id, monitor string) {
	l.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, data, err := l.c.Read(ctx)
		cancel()
		if err != nil {
			l.t.Fatalf("ws read: %v", err)
		}
		var m struct {
			Type    string `json:"type"`
			Payload struct {
				Data struct {
					Matches struct {
						Kind, ID, Monitor string
						Match             json.RawMessage
					}
				}
			}
		}
		_ = json.Unmarshal(data, &m)
		switch m.Type {
		case "ping":
			l.send(map[string]any{"type": "pong"})
		case "next":
			e := m.Payload.Data.Matches
			return e.Kind, e.ID, e.Monitor
		case "connection_ack", "pong":
		default:
			l.t.Fatalf("unexpected frame %s", data)
		}
	}
}

func (l *liveConn) subscribe(after string) {
	l.send(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	var a any
	if after != "" {
		a = after
	}
	l.send(map[string]any{"id": "m", "type": "subscribe", "payload": map[string]any{
		"query": "subscription($a:String){matches(after:$a){kind id message monitor match}}", "variables": map[string]any{"a": a}}})
}

// TestLiveFeedResumes: the feed gets the tenant's matches (never another
// tenant's), and after a dropped connection resumes from the last event
// seen without a gap; a socket from another origin is refused.
func TestLiveFeedResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser(t)
	b.signIn(e.keyA)
	if _, resp, err := b.dialLive(t, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin socket: %v", err)
	}
	l, _, err := b.dialLive(t, e.srv.URL)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	l.subscribe("")
	publish := func(tenant, monitor string, ledger uint64) {
		t.Helper()
		ev := live.Event{TenantID: tenant, Kind: live.KindMatch, Monitor: monitor, Network: "stellar_testnet", Ledger: ledger,
			TxHash: "ab", Status: live.MatchStatus, Time: time.Now(), Match: json.RawMessage(`{"Stellar":{"monitor":{"name":"` + monitor + `"}}}`)}
		if err := e.pub.Publish(ctx, ev); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	// A subscription for new events starts some time after subscribe:
	// publish "first" until one arrives (later copies are skipped below).
	publish(e.b, "bravo-only", 1)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if err := e.pub.Publish(ctx, live.Event{TenantID: e.a, Kind: live.KindMatch, Monitor: "first", Network: "stellar_testnet",
					Ledger: 2, Status: live.MatchStatus, Time: time.Now()}); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		}
	}()
	kind, id, mon := l.next()
	close(stop)
	<-done
	if kind != "EVENT" || mon != "first" {
		t.Fatalf("first event = %s %s", kind, mon)
	}
	_ = l.c.Close(websocket.StatusGoingAway, "dropped")
	publish(e.a, "second", 3)
	publish(e.b, "bravo-only", 4)
	publish(e.a, "third", 5)
	l2, _, err := b.dialLive(t, e.srv.URL)
	if err != nil {
		t.Fatalf("redial: %v", err)
	}
	defer l2.c.CloseNow()
	l2.subscribe(id)
	var got []string
	for len(got) < 3 {
		if kind, _, mon := l2.next(); mon != "first" {
			got = append(got, kind+":"+mon)
		}
	}
	if strings.Join(got, ",") != "RESUMED:,EVENT:second,EVENT:third" {
		t.Fatalf("after reconnect = %v", got)
	}
}
