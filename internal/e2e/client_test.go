package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// result is a GraphQL answer over HTTP.
type result struct {
	status int
	header http.Header
	raw    []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// code is the first error's extensions.code ("" without errors).
func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// ok fails tb unless the answer has no error, and decodes data into v.
func (r result) ok(tb testing.TB, v any) {
	tb.Helper()
	if len(r.Errors) > 0 || r.status != http.StatusOK {
		tb.Fatalf("status %d, errors %+v", r.status, r.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			tb.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// postRaw sends body to /graphql as it is, with token (none when empty).
func (d *deployment) postRaw(tb testing.TB, token string, body []byte) result {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, d.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := d.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := result{status: resp.StatusCode, header: resp.Header, raw: data}
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatalf("answer %d is not JSON: %.300s", resp.StatusCode, data)
	}
	return out
}

// gql sends one operation with its variables.
func (d *deployment) gql(tb testing.TB, token, query string, vars map[string]any) result {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return d.postRaw(tb, token, body)
}

// wsURL is the API's WebSocket endpoint, or through a proxy at addr.
func (d *deployment) wsURL() string { return "ws" + strings.TrimPrefix(d.srv.URL, "http") + "/graphql" }

// wsClient is one graphql-transport-ws connection.
type wsClient struct {
	c *websocket.Conn
}

// dialWS opens a connection to url and completes the init handshake
// with token.
func dialWS(ctx context.Context, url, token string) (*wsClient, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c.SetReadLimit(1 << 20)
	w := &wsClient{c: c}
	if err := w.send(ctx, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}}); err != nil {
		c.CloseNow()
		return nil, err
	}
	m, err := w.read(ctx)
	if err != nil {
		c.CloseNow()
		return nil, fmt.Errorf("init: %w", err)
	}
	if m.Type != "connection_ack" {
		c.CloseNow()
		return nil, fmt.Errorf("init: answered %s %s", m.Type, m.Payload)
	}
	return w, nil
}

// wsMessage is one graphql-transport-ws frame.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (w *wsClient) send(ctx context.Context, msg any) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return w.c.Write(ctx, websocket.MessageText, data)
}

func (w *wsClient) read(ctx context.Context) (wsMessage, error) {
	_, data, err := w.c.Read(ctx)
	if err != nil {
		return wsMessage{}, err
	}
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return wsMessage{}, fmt.Errorf("frame %.200s: %w", data, err)
	}
	return m, nil
}

// subscribe starts operation id.
func (w *wsClient) subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	return w.send(ctx, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// next reads frames until one for a subscription: its data, or its
// errors as an error; pings are answered.
func (w *wsClient) next(ctx context.Context) (wsMessage, error) {
	for {
		m, err := w.read(ctx)
		if err != nil {
			return m, err
		}
		switch m.Type {
		case "ping":
			if err := w.send(ctx, map[string]any{"type": "pong"}); err != nil {
				return m, err
			}
		case "pong":
		default:
			return m, nil
		}
	}
}

func (w *wsClient) close() { w.c.CloseNow() }

// readTimeout is how long a test waits for one frame it expects.
const readTimeout = 20 * time.Second
