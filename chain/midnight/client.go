package midnight

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Client is a Midnight node's WebSocket JSON-RPC with endpoint rotation
// (spec 17.2). It is safe for concurrent use; calls are serialised on its
// one connection, as OpenZeppelin Monitor's are.
type Client struct {
	eps []endpoint
	o   options

	mu     sync.Mutex // one request in flight
	conn   *wsConn
	active int    // index in eps of the endpoint in use or tried next
	nextID uint64 // last request id

	chainName string // system_chain, once known
}

type endpoint struct {
	url, redacted string
}

// NewClient returns a client over the endpoints with a ws:// or wss:// URL
// and a weight above 0, highest weight first (ties keep their order). It
// makes no network call: the first call connects.
func NewClient(endpoints []chain.Endpoint, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	eps := slices.Clone(endpoints)
	eps = slices.DeleteFunc(eps, func(e chain.Endpoint) bool {
		return e.Weight <= 0 || !(strings.HasPrefix(e.URL, "ws://") || strings.HasPrefix(e.URL, "wss://"))
	})
	slices.SortStableFunc(eps, func(a, b chain.Endpoint) int { return b.Weight - a.Weight })
	if len(eps) == 0 {
		return nil, fmt.Errorf("midnight rpc: %w", ErrNoEndpoint)
	}
	c := &Client{o: o}
	for _, e := range eps {
		c.eps = append(c.eps, endpoint{url: e.URL, redacted: jsonrpc.MaskURLs(e.URL)})
	}
	return c, nil
}

// Close closes the connection; a later call opens a new one.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
	return nil
}

// Call sends method with params and stores the answer's result in result
// (a pointer, or nil to discard). A transport failure at one endpoint
// rotates to the next and retries, up to every endpoint once per round; a
// JSON-RPC error answer is returned at once as *RPCError (QM8). subject
// names what the call is about, for errors.
func (c *Client) Call(ctx context.Context, method, subject string, params any, result any) error {
	body, err := json.Marshal(struct {
		JSONRPC string `json:"jsonrpc"`
		ID      uint64 `json:"id"`
		Method  string `json:"method"`
		Params  any    `json:"params"`
	}{"2.0", 0, method, params})
	if err != nil {
		return &CallError{Method: method, Subject: subject, Err: fmt.Errorf("encode params: %w", err)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var last error
	attempts := len(c.eps) * c.o.rounds
	for range attempts {
		if err := ctx.Err(); err != nil {
			return &CallError{Method: method, Subject: subject, Err: err}
		}
		ep := c.eps[c.active]
		raw, err := c.attempt(ctx, body)
		if c.o.observe != nil {
			c.o.observe(method, ep.redacted, err)
		}
		var rpcErr *RPCError
		switch {
		case err == nil:
			if result == nil {
				return nil
			}
			if err := json.Unmarshal(raw, result); err != nil {
				return &CallError{Method: method, Endpoint: ep.redacted, Subject: subject, Err: fmt.Errorf("decode result: %w", err)}
			}
			return nil
		case errors.As(err, &rpcErr):
			return &CallError{Method: method, Endpoint: ep.redacted, Subject: subject, Err: err}
		}
		last = &CallError{Method: method, Endpoint: ep.redacted, Subject: subject, Err: err}
		if ctx.Err() != nil {
			return last
		}
		c.rotate(last)
	}
	return last
}

// rotate drops the connection and moves to the next endpoint.
func (c *Client) rotate(why error) {
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
	from := c.eps[c.active].redacted
	c.active = (c.active + 1) % len(c.eps)
	c.o.log.Warn("midnight rpc endpoint rotated", "from", from, "to", c.eps[c.active].redacted, "error", why)
}

// attempt sends one request on the current connection (connecting first
// when there is none) and waits for its answer: the raw result, an
// *RPCError, or a transport error.
func (c *Client) attempt(ctx context.Context, body []byte) (json.RawMessage, error) {
	if c.conn == nil || c.conn.dead() {
		if c.conn != nil {
			c.conn.close()
		}
		conn, err := c.dial(ctx, c.eps[c.active].url)
		if err != nil {
			c.conn = nil
			return nil, err
		}
		c.conn = conn
	}
	c.nextID++
	id := c.nextID
	req := bytes.Replace(body, []byte(`"id":0,`), fmt.Appendf(nil, `"id":%d,`, id), 1)
	wctx, cancel := context.WithTimeout(ctx, c.o.messageTimeout)
	err := c.conn.ws.Write(wctx, websocket.MessageText, req)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("send: %s", jsonrpc.MaskURLs(err.Error()))
	}
	timer := time.NewTimer(c.o.messageTimeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			// The answer may still come; the connection is reused and the
			// stale frame skipped by its id.
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("no answer within %s", c.o.messageTimeout)
		case <-c.conn.done:
			return nil, fmt.Errorf("connection closed: %s", jsonrpc.MaskURLs(c.conn.errText()))
		case f := <-c.conn.frames:
			raw, mine, err := answerOf(f, id)
			if !mine {
				timer.Reset(c.o.messageTimeout)
				continue // another request's late answer, or a notification
			}
			return raw, err
		}
	}
}

// answerOf reads a frame: whether it answers request id (a frame without
// id is taken as the answer, as OpenZeppelin Monitor does), and its result
// or error.
func answerOf(frame []byte, id uint64) (json.RawMessage, bool, error) {
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(frame, &msg); err != nil {
		return nil, true, fmt.Errorf("answer is not JSON-RPC: %.80s", frame)
	}
	if len(msg.ID) > 0 && string(msg.ID) != "null" && string(msg.ID) != fmt.Sprint(id) {
		return nil, false, nil
	}
	if msg.Error != nil {
		return nil, true, msg.Error
	}
	if msg.Result == nil {
		return nil, true, errors.New("answer has neither result nor error")
	}
	return msg.Result, true, nil
}

// wsConn is one WebSocket connection with its reader: text frames go to
// frames; control frames (pings, pongs) are handled while it reads.
type wsConn struct {
	ws     *websocket.Conn
	frames chan []byte
	done   chan struct{} // closed when the reader stops
	cancel context.CancelFunc

	mu  sync.Mutex
	err error
}

func (c *Client) dial(ctx context.Context, url string) (*wsConn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.o.connectTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("connect: %s", jsonrpc.MaskURLs(err.Error()))
	}
	ws.SetReadLimit(c.o.maxMessage)
	rctx, rcancel := context.WithCancel(context.Background())
	w := &wsConn{ws: ws, frames: make(chan []byte, 16), done: make(chan struct{}), cancel: rcancel}
	go w.read(rctx)
	go w.heartbeat(rctx, c.o.heartbeat, c.o.messageTimeout)
	return w, nil
}

func (w *wsConn) read(ctx context.Context) {
	defer close(w.done)
	for {
		typ, data, err := w.ws.Read(ctx)
		if err != nil {
			w.fail(err)
			return
		}
		if typ != websocket.MessageText {
			w.fail(fmt.Errorf("unexpected %v frame", typ))
			return
		}
		select {
		case w.frames <- data:
		case <-ctx.Done():
			return
		}
	}
}

// heartbeat pings every interval; a ping without pong within timeout
// closes the connection, so the next call reconnects rather than waiting
// on a dead socket.
func (w *wsConn) heartbeat(ctx context.Context, every, timeout time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, timeout)
			err := w.ws.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				w.fail(fmt.Errorf("heartbeat: %w", err))
				w.ws.CloseNow()
				return
			}
		}
	}
}

func (w *wsConn) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

func (w *wsConn) errText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		return "closed"
	}
	return w.err.Error()
}

func (w *wsConn) dead() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (w *wsConn) close() {
	w.cancel()
	w.ws.CloseNow()
}
