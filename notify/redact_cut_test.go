package notify

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/ozmontest"
)

// TestSecretStraddlingTheCutIsMasked: a receiver echoes the trigger's API
// key so that it straddles the 256-byte cut of the error detail. Masking
// after the cut would leave the key's first bytes in the log, Redis and
// asynqmon; none of it may appear.
func TestSecretStraddlingTheCutIsMasked(t *testing.T) {
	const key = "sk_live_0123456789abcdefSECRETKEY"
	for _, at := range []int{240, 250, 255, 256} {
		body := strings.Repeat("x", at) + key + strings.Repeat("y", 300)
		sink := ozmontest.StartWebhookSink(t, ozmontest.SinkDefault(ozmontest.SinkResponse{Status: 400, Body: body}))
		w, err := newWebhook("hook", webhookConfig{URL: sink.URL(), Headers: map[string]string{"X-API-Key": key}},
			WithGuard(localGuard(t)))
		if err != nil {
			t.Fatal(err)
		}
		err = w.Send(context.Background(), Notification{ID: "ntf_1", TenantID: "t", Vars: sampleVars()})
		var se *SendError
		if !errors.As(err, &se) {
			t.Fatalf("secret at %d: %v, want a SendError", at, err)
		}
		for n := 4; n <= len(key); n++ {
			if strings.Contains(se.Detail, key[:n]) || strings.Contains(err.Error(), key[:n]) {
				t.Fatalf("secret at byte %d: %d-byte prefix of the key in %q", at, n, se.Detail)
			}
		}
		if len(se.Detail) > len("response: ")+256 {
			t.Fatalf("detail of %d bytes, want at most 256 of the response", len(se.Detail)-len("response: "))
		}
	}
}
