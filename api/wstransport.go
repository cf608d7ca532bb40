package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	coderws "github.com/coder/websocket"

	"github.com/ozmon/ozmon/internal/textcut"
)

// wsSubprotocol is the protocol wsTransport speaks: graphql-ws's
// graphql-transport-ws (github.com/enisdenjo/graphql-ws, PROTOCOL.md).
const wsSubprotocol = "graphql-transport-ws"

// wsTransport serves GraphQL over WebSocket with graphql-transport-ws,
// on one goroutine per connection, the one reading it. An operation runs
// on a goroutine of its own while it works; a subscription then waits
// for events with none: its LiveStream tells it when one is there
// (wsOperation). gqlgen's own transport keeps a read loop, a closer and a
// goroutine per subscription, each with its stack, for every idle
// subscription.
type wsTransport struct {
	admit func(ctx context.Context, payload map[string]any) (context.Context, *wsRefusal)
	log   *slog.Logger
	// readLimit bounds one message from the client, in bytes.
	readLimit int64
	// initTimeout closes a connection that has not sent connection_init
	// by then (4408), so an unauthenticated one cannot sit idle.
	initTimeout time.Duration
	// pingInterval is how often an admitted connection is pinged, so that
	// proxies keep it open and a dead peer is found by a failing write.
	pingInterval time.Duration
	// writeTimeout bounds one frame's write: a client that does not read
	// is disconnected rather than holding its operations' writers.
	writeTimeout time.Duration
}

var _ graphql.Transport = (*wsTransport)(nil)

// Supports takes WebSocket upgrades that offer graphql-transport-ws;
// other upgrades (the older graphql-ws protocol) go on to gqlgen's.
func (t *wsTransport) Supports(r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(p) == wsSubprotocol {
				return true
			}
		}
	}
	return false
}

// Do upgrades the request and serves the connection until it closes.
// r's context must outlive the handler (serveDetached).
func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// guard has checked the Origin before the upgrade.
	ws, err := coderws.Accept(w, r, &coderws.AcceptOptions{Subprotocols: []string{wsSubprotocol}, InsecureSkipVerify: true})
	if err != nil {
		// Accept has answered the request with what was wrong.
		t.log.DebugContext(r.Context(), "api: refused a WebSocket upgrade", "err", err)
		return
	}
	ws.SetReadLimit(t.readLimit)
	ctx, cancel := context.WithCancel(r.Context())
	c := &wsConn{t: t, ws: ws, exec: exec, ctx: ctx, cancel: cancel, ops: map[string]*wsOperation{}}
	// A goroutine of its own, so that this one's stack, grown by the
	// upgrade, and what it holds (the request, its headers, w) go now.
	go c.serve()
}

// wsConn is one graphql-transport-ws connection.
type wsConn struct {
	t    *wsTransport
	ws   *coderws.Conn
	exec graphql.GraphExecutor
	// ctx is the connection's, the caller's once admitted (set by the
	// read loop before any operation starts); cancel ends it, and every
	// operation with it.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pinger  *time.Timer             // keep-alive pings, once admitted
	ops     map[string]*wsOperation // running operations by id
	closing bool                    // a close frame is on its way
}

// wsMessage is one graphql-transport-ws frame.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Close codes of graphql-transport-ws (beside wsRefusal's).
const (
	closeBadRequest      = 4400
	closeUnauthorized    = 4401
	closeInitTimeout     = 4408
	closeDuplicateID     = 4409
	closeTooManyInitsReq = 4429
)

// serve reads the client's frames until the connection ends.
func (c *wsConn) serve() {
	defer c.shutdown()
	st := &wsReadState{}
	st.initTimer = time.AfterFunc(c.t.initTimeout, func() { c.close(closeInitTimeout, "Connection initialisation timeout") })
	defer func() {
		if st.initTimer != nil {
			st.initTimer.Stop()
		}
	}()
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			return // closed, by either side, or over the read limit
		}
		// Handled on a goroutine of its own while this one waits: decoding
		// and answering grow a stack that would otherwise stay with the
		// read loop, which idles for the connection's whole life.
		done := make(chan bool, 1)
		go func() {
			defer func() {
				// net/http's recovery does not cover this goroutine.
				if v := recover(); v != nil {
					c.t.log.ErrorContext(c.ctx, "api: panic serving a WebSocket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					done <- false
				}
			}()
			done <- c.handle(data, st)
		}()
		if !<-done {
			return
		}
	}
}

// wsReadState is what the read loop knows of the connection; one frame's
// handler at a time uses it.
type wsReadState struct {
	admitted  bool
	initTimer *time.Timer // until connection_init
}

// handle acts on one frame from the client: false when the connection
// is to end.
func (c *wsConn) handle(data []byte, st *wsReadState) bool {
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		c.close(closeBadRequest, "Invalid message received: want a JSON object with a type")
		return false
	}
	switch m.Type {
	case "connection_init":
		if st.admitted {
			c.close(closeTooManyInitsReq, "Too many initialisation requests")
			return false
		}
		st.initTimer.Stop()
		st.initTimer = nil // not kept for the connection's life
		if !c.init(m.Payload) {
			return false
		}
		st.admitted = true
	case "subscribe":
		if !st.admitted {
			c.close(closeUnauthorized, "Unauthorized: send connection_init first")
			return false
		}
		return c.start(m.ID, m.Payload)
	case "complete":
		c.mu.Lock()
		op := c.ops[m.ID]
		delete(c.ops, m.ID) // the id may be used again at once
		c.mu.Unlock()
		if op != nil {
			op.cancel() // the client stopped listening: no frame
		}
	case "ping":
		c.send(wsMessage{Type: "pong", Payload: m.Payload})
	case "pong":
	default:
		c.close(closeBadRequest, "Invalid message received: unknown type")
		return false
	}
	return true
}

// init admits the connection (or closes it, saying why) and starts the
// keep-alive pings.
func (c *wsConn) init(payload json.RawMessage) bool {
	var p map[string]any
	if len(payload) > 0 && !bytes.Equal(payload, []byte("null")) {
		if err := json.Unmarshal(payload, &p); err != nil {
			c.close(closeBadRequest, "Invalid message received: connection_init's payload is not a JSON object")
			return false
		}
	}
	ctx, refused := c.t.admit(c.ctx, p)
	if refused != nil {
		c.close(refused.close, refused.reason)
		return false
	}
	// The caller's context, derived from the connection's: it ends with
	// it. Only now do goroutines that read c.ctx start.
	c.ctx = ctx
	if !c.send(wsMessage{Type: "connection_ack"}) {
		return false
	}
	c.mu.Lock()
	c.pinger = time.AfterFunc(c.t.pingInterval, c.ping)
	c.mu.Unlock()
	return true
}

// ping sends a keep-alive ping and schedules the next one.
func (c *wsConn) ping() {
	if c.ctx.Err() == nil && c.send(wsMessage{Type: "ping"}) {
		c.mu.Lock()
		c.pinger.Reset(c.t.pingInterval)
		c.mu.Unlock()
	}
}

// start registers operation id and runs it on a goroutine of its own.
func (c *wsConn) start(id string, payload json.RawMessage) bool {
	if id == "" {
		c.close(closeBadRequest, "Invalid message received: subscribe without an id")
		return false
	}
	c.mu.Lock()
	if _, dup := c.ops[id]; dup {
		c.mu.Unlock()
		c.close(closeDuplicateID, textcut.Prefix("Subscriber for "+id+" already exists", 120))
		return false
	}
	op := newWSOperation(c, id)
	c.ops[id] = op
	c.mu.Unlock()
	go op.run(graphql.Now(), payload)
	return true
}

// send writes one frame; false when the connection is gone or the write
// did not finish within writeTimeout (the connection is then closed).
func (c *wsConn) send(m wsMessage) bool {
	data, err := json.Marshal(m)
	if err != nil {
		c.t.log.ErrorContext(c.ctx, "api: encode a WebSocket frame", "type", m.Type, "err", err)
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.t.writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, coderws.MessageText, data); err != nil {
		c.cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			c.t.log.InfoContext(c.ctx, "api: closed a WebSocket whose client does not read", "timeout", c.t.writeTimeout)
		}
		return false
	}
	return true
}

// close ends the connection with a close frame (code, reason), once.
func (c *wsConn) close(code int, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing = true
	c.mu.Unlock()
	c.cancel()
	// The close handshake waits up to 5 s for the client's answer: not on
	// the caller's time.
	go func() { _ = c.ws.Close(coderws.StatusCode(code), reason) }()
}

// shutdown ends the connection's operations once its read loop is over.
func (c *wsConn) shutdown() {
	c.cancel()
	c.mu.Lock()
	if c.pinger != nil {
		c.pinger.Stop()
	}
	closing := c.closing
	c.closing = true
	c.mu.Unlock()
	if !closing {
		// Closed by the client or lost: nothing to say. (A close under way
		// owns the connection until its handshake ends.)
		_ = c.ws.CloseNow()
	}
}
