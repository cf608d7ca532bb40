package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/auth"
)

// busyAuth is an authenticator whose verifications are all taken.
type busyAuth struct{}

func (busyAuth) Authenticate(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, auth.ErrBusy
}

// TestBusyIsRetryable: too many credential checks at once is BUSY with
// 503 and Retry-After over HTTP, and refuses a WebSocket's init saying so
// — never UNAUTHENTICATED, which would tell a client its key is bad.
func TestBusyIsRetryable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithAuthenticator(busyAuth{}))
	r := e.query(t, "smt_whatever", `{ me { actor } }`, nil)
	if r.code() != CodeBusy || r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" || r.Errors[0].Extensions["retryAfterSeconds"] != float64(1) {
		t.Fatalf("busy: %d %v %+v", r.status, r.header, r.Errors)
	}
	c, _, err := dialWS(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer smt_whatever"}})
	var err2 error
	for err2 == nil { // any frame before the close must not be an ack
		var data []byte
		if _, data, err2 = c.Read(context.Background()); err2 == nil && strings.Contains(string(data), "connection_ack") {
			t.Fatalf("busy init acknowledged: %s", data)
		}
	}
	if websocket.CloseStatus(err2) != closeTryAgainLater || !strings.Contains(err2.Error(), CodeBusy) {
		t.Fatalf("busy init closed with %v, want 1013 and the reason %s", err2, CodeBusy)
	}
}
