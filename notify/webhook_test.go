package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/ozmontest"
)

// recomputeSignature is the receiver's side of OZ's scheme, written independently of signOZ.
func recomputeSignature(secret string, body []byte, ts string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(append(append([]byte{}, body...), ts...))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestWebhookTemplateSigned(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	const secret = "hmac-key-0123456789"
	ch, err := newWebhook("vault hook", webhookConfig{
		URL:     sink.URL() + "/monitor?token=abc123",
		Method:  "put",
		Secret:  secret,
		Headers: map[string]string{"Authorization": "Bearer abc", "X-Custom": "1"},
		Message: messageTemplate{Title: "${monitor.name}", Body: "${transaction.hash} <&>"},
	}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UnixMilli()
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
		t.Fatalf("send: %v", err)
	}
	after := time.Now().UnixMilli()
	r := sink.Requests()[0]
	if r.Method != http.MethodPut || r.Path != "/monitor" || r.RawQuery != "token=abc123" {
		t.Fatalf("got %s %s?%s", r.Method, r.Path, r.RawQuery)
	}
	if want := `{"title":"Vault <deposits>","body":"ab12cd <&>"}`; string(r.Body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.Body, want)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer abc" || r.Header.Get("X-Custom") != "1" {
		t.Fatalf("headers %v", r.Header)
	}
	ts := r.Header.Get("X-Timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms < before || ms > after {
		t.Fatalf("X-Timestamp %q is not Unix milliseconds of the send (%d..%d)", ts, before, after)
	}
	sig := r.Header.Get("X-Signature")
	if want := recomputeSignature(secret, r.Body, ts); sig != want {
		t.Fatalf("X-Signature %q, recomputed %q", sig, want)
	}
	if sig != strings.ToLower(sig) || len(sig) != 64 {
		t.Fatalf("signature %q is not lowercase hex SHA-256", sig)
	}
}

func TestWebhookRawCompactsMatchAndHeadersOverride(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch, err := newWebhook("raw hook", webhookConfig{
		URL:     sink.URL() + "/matches",
		Mode:    payloadRaw,
		Headers: map[string]string{"Content-Type": "application/vnd.ozmon+json", "X-API-Key": "k1"},
	}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	match := []byte("{\n  \"Stellar\": {\n    \"network_slug\": \"stellar_mainnet\",\n    \"matched_on\": {\"functions\": [] }\n  }\n}\n")
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: match}); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := sink.Requests()[0]
	if r.Method != http.MethodPost {
		t.Fatalf("default method: got %s", r.Method)
	}
	if want := `{"Stellar":{"network_slug":"stellar_mainnet","matched_on":{"functions":[]}}}`; string(r.Body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.Body, want)
	}
	if r.Header.Get("Content-Type") != "application/vnd.ozmon+json" || r.Header.Get("X-API-Key") != "k1" {
		t.Fatalf("headers %v", r.Header)
	}
	if r.Header.Get("X-Signature") != "" || r.Header.Get("X-Timestamp") != "" {
		t.Fatalf("unsigned webhook sent signature headers: %v", r.Header)
	}
	// Invalid match JSON is refused before anything is sent, permanently.
	err = ch.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte("{nope")})
	if err == nil || IsRetryable(err) {
		t.Fatalf("invalid match JSON: got %v", err)
	}
	if sink.Count() != 1 {
		t.Fatalf("sink got %d requests, want 1", sink.Count())
	}
}

func TestWebhookConfigErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]webhookConfig{
		"bad method":                            {URL: "http://127.0.0.1/", Method: "PATCH"},
		"bad mode":                              {URL: "http://127.0.0.1/", Mode: "xml"},
		"empty secret":                          {URL: "http://127.0.0.1/", Signed: true},
		"bad signing":                           {URL: "http://127.0.0.1/", Secret: "k", Signing: "svix"},
		"standard webhooks without secret":      {URL: "http://127.0.0.1/", Signing: signingStandardWebhooks},
		"standard webhooks, whsec_ not base64":  {URL: "http://127.0.0.1/", Secret: "whsec_s3cr3t!", Signing: signingStandardWebhooks},
		"standard webhooks, whsec_ without key": {URL: "http://127.0.0.1/", Secret: "whsec_", Signing: signingStandardWebhooks},
	} {
		_, err := newWebhook("w", cfg)
		if err == nil {
			t.Errorf("%s: newWebhook accepted %+v", name, cfg)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error reveals the secret: %v", name, err)
		}
	}
}

func TestWebhookRetryClassification(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t,
		ozmontest.SinkFailTimes(2, 500),
		ozmontest.SinkRateLimited(1, "2"),
		ozmontest.SinkResponses(
			ozmontest.SinkResponse{Status: 408},
			ozmontest.SinkResponse{Status: 400, Body: "bad request: k-secret-header"},
			ozmontest.SinkResponse{Status: 302, Header: http.Header{"Location": {"http://169.254.169.254/"}}},
		))
	const secret = "s3cr3t-hmac"
	ch, err := newWebhook("retry hook", webhookConfig{
		URL:     sink.URL() + "/hook/tok-path-secret",
		Secret:  secret,
		Headers: map[string]string{"X-API-Key": "k-secret-header"},
		Message: messageTemplate{Title: "t", Body: "b"},
	}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status    int
		retryable bool
		after     time.Duration
	}{{500, true, 0}, {500, true, 0}, {429, true, 2 * time.Second}, {408, true, 0}, {400, false, 0}, {302, false, 0}}
	for i, w := range want {
		err := ch.Send(context.Background(), Notification{TenantID: "tenant-1"})
		var se *SendError
		if !errors.As(err, &se) {
			t.Fatalf("attempt %d: want *SendError, got %v", i, err)
		}
		if se.StatusCode != w.status || se.Retryable != w.retryable || se.RetryAfter != w.after {
			t.Fatalf("attempt %d: got status %d retryable %v after %v, want %+v", i, se.StatusCode, se.Retryable, se.RetryAfter, w)
		}
		for _, s := range []string{secret, "k-secret-header", "tok-path-secret"} {
			if strings.Contains(err.Error(), s) {
				t.Fatalf("attempt %d: error %q reveals %q", i, err, s)
			}
		}
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "tenant-1"}); err != nil {
		t.Fatalf("after scripted failures: %v", err)
	}
	// The redirect was not followed: 7 requests, all to the sink.
	if n := sink.Count(); n != 7 {
		t.Fatalf("sink got %d requests, want 7", n)
	}
}

// A slow receiver is cut off by the send timeout and the failure is retryable.
func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t, ozmontest.SinkResponses(ozmontest.SinkResponse{Delay: 10 * time.Second}))
	ch, err := newWebhook("slow hook", webhookConfig{
		URL: sink.URL() + "/slow", Message: messageTemplate{Title: "t", Body: "b"},
	}, WithGuard(localGuard(t)), WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1"})
	if err == nil || !IsRetryable(err) {
		t.Fatalf("slow receiver: got %v, want a retryable error", err)
	}
}

func TestWebhookRefusesNonHTTPScheme(t *testing.T) {
	t.Parallel()
	ch, err := newWebhook("file hook", webhookConfig{URL: "file:///etc/passwd", Message: messageTemplate{Title: "t", Body: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1"})
	if err == nil || IsRetryable(err) || strings.Contains(err.Error(), "passwd") {
		t.Fatalf("file URL: got %v, want a permanent error that does not show the URL", err)
	}
}

// steppingClock returns start, then start+step, start+2*step, … on successive calls.
func steppingClock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	next := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := next
		next = next.Add(step)
		return t
	}
}

// A send that fails and is retried carries the same Idempotency-Key both times, and a fresh
// timestamp, signed again, so that the retry passes the receiver's replay window. In OZ mode
// the X-Signature scheme is byte-for-byte OpenZeppelin Monitor's.
func TestWebhookRetryKeepsIdempotencyKey(t *testing.T) {
	t.Parallel()
	const id = "ntf_0123456789abcdef0123456789abcdef"
	start := time.UnixMilli(1_764_000_000_123)
	for _, tc := range []struct {
		name      string
		cfg       webhookConfig
		timestamp string // the header that must change between attempts; "" for unsigned
		check     func(t *testing.T, r ozmontest.SinkRequest, at time.Time)
		absent    []string
	}{
		{
			name:   "unsigned",
			cfg:    webhookConfig{},
			absent: []string{"X-Signature", "X-Timestamp", "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"},
		},
		{
			name:      "oz",
			cfg:       webhookConfig{Secret: "hmac-key-0123456789"},
			timestamp: "X-Timestamp",
			check: func(t *testing.T, r ozmontest.SinkRequest, at time.Time) {
				ts := r.Header.Get("X-Timestamp")
				if want := strconv.FormatInt(at.UnixMilli(), 10); ts != want {
					t.Fatalf("X-Timestamp %s, want %s (Unix milliseconds)", ts, want)
				}
				if got, want := r.Header.Get("X-Signature"), recomputeSignature("hmac-key-0123456789", r.Body, ts); got != want {
					t.Fatalf("X-Signature %s, want %s", got, want)
				}
			},
			absent: []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"},
		},
		{
			name:      "oz, explicitly",
			cfg:       webhookConfig{Secret: "hmac-key-0123456789", Signing: signingOZ},
			timestamp: "X-Timestamp",
			check: func(t *testing.T, r ozmontest.SinkRequest, _ time.Time) {
				if got, want := r.Header.Get("X-Signature"), recomputeSignature("hmac-key-0123456789", r.Body, r.Header.Get("X-Timestamp")); got != want {
					t.Fatalf("X-Signature %s, want %s", got, want)
				}
			},
			absent: []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"},
		},
		{
			name:      "standard webhooks",
			cfg:       webhookConfig{Secret: specSecret, Signing: signingStandardWebhooks},
			timestamp: "webhook-timestamp",
			check: func(t *testing.T, r ozmontest.SinkRequest, at time.Time) {
				if got := r.Header.Get("webhook-id"); got != id {
					t.Fatalf("webhook-id %q, want %q", got, id)
				}
				if ts, want := r.Header.Get("webhook-timestamp"), strconv.FormatInt(at.Unix(), 10); ts != want {
					t.Fatalf("webhook-timestamp %s, want %s (Unix seconds)", ts, want)
				}
				if err := VerifyStandardWebhook(specSecret, r.Header, r.Body, 0, at); err != nil {
					t.Fatalf("verify: %v", err)
				}
			},
			absent: []string{"X-Signature", "X-Timestamp"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := ozmontest.StartWebhookSink(t, ozmontest.SinkFailTimes(1, 503))
			cfg := tc.cfg
			cfg.URL = sink.URL() + "/hook"
			cfg.Message = messageTemplate{Title: "${monitor.name}", Body: "${transaction.hash}"}
			ch, err := newWebhook("idempotent hook", cfg, WithGuard(localGuard(t)))
			if err != nil {
				t.Fatal(err)
			}
			// 1.5 s apart: both the milliseconds and the seconds differ.
			ch.SetClock(steppingClock(start, 1500*time.Millisecond))
			n := Notification{ID: id, TenantID: "t1", Vars: sampleVars()}
			if err := ch.Send(context.Background(), n); !IsRetryable(err) {
				t.Fatalf("first attempt: got %v, want the sink's retryable 503", err)
			}
			if err := ch.Send(context.Background(), n); err != nil {
				t.Fatalf("retry: %v", err)
			}
			reqs := sink.Requests()
			if len(reqs) != 2 {
				t.Fatalf("sink got %d requests, want 2", len(reqs))
			}
			for i, r := range reqs {
				if got := r.Header.Get("Idempotency-Key"); got != id {
					t.Fatalf("attempt %d: Idempotency-Key %q, want %q", i, got, id)
				}
				for _, h := range tc.absent {
					if v := r.Header.Values(h); len(v) != 0 {
						t.Fatalf("attempt %d: unexpected %s: %v", i, h, v)
					}
				}
				if tc.check != nil {
					tc.check(t, r, start.Add(time.Duration(i)*1500*time.Millisecond))
				}
			}
			if tc.timestamp != "" && reqs[0].Header.Get(tc.timestamp) == reqs[1].Header.Get(tc.timestamp) {
				t.Fatalf("retry reused %s %s", tc.timestamp, reqs[0].Header.Get(tc.timestamp))
			}
		})
	}
}

// What a receiver checks on a Standard Webhooks request fails for a wrong secret, a changed
// body and a stale timestamp.
func TestWebhookStandardWebhooksVerification(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	const secret = "plain-shared-secret-0123" // no whsec_ prefix: its bytes are the key
	ch, err := newWebhook("std hook", webhookConfig{
		URL: sink.URL() + "/std", Secret: secret, Signing: signingStandardWebhooks, Mode: payloadRaw,
	}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := ch.Send(context.Background(), Notification{ID: "ntf_feed", TenantID: "t1", MatchJSON: []byte(`{"m": 1}`)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := sink.Requests()[0]
	if string(r.Body) != `{"m":1}` {
		t.Fatalf("body %s", r.Body)
	}
	for _, tc := range []struct {
		name   string
		secret string
		body   []byte
		now    time.Time
		want   error
	}{
		{"as received", secret, r.Body, sent, nil},
		{"wrong secret", "plain-shared-secret-0124", r.Body, sent, ErrWebhookSignature},
		{"tampered body", secret, []byte(`{"m":2}`), sent, ErrWebhookSignature},
		{"stale timestamp", secret, r.Body, sent.Add(10 * time.Minute), ErrWebhookTimestamp},
	} {
		err := VerifyStandardWebhook(tc.secret, r.Header, tc.body, 5*time.Minute, tc.now)
		if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

// An ID that could smuggle a header, or a Standard Webhooks send without any ID, fails
// permanently before anything is sent.
func TestWebhookRefusesUnusableID(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	oz, err := newWebhook("oz", webhookConfig{URL: sink.URL(), Message: messageTemplate{Title: "t", Body: "b"}},
		WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	std, err := newWebhook("std", webhookConfig{URL: sink.URL(), Secret: "k", Signing: signingStandardWebhooks,
		Message: messageTemplate{Title: "t", Body: "b"}}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ch   *webhookChannel
		id   string
	}{
		{"line break", oz, "ntf_1\r\nX-Evil: 1"},
		{"space", oz, "ntf 1"},
		{"too long", oz, "ntf_" + strings.Repeat("a", 300)},
		{"standard without id", std, ""},
		{"standard with a bad id", std, "ntf.1"},
	} {
		err := tc.ch.Send(context.Background(), Notification{ID: tc.id, TenantID: "t1"})
		if err == nil || IsRetryable(err) {
			t.Errorf("%s: got %v, want a permanent error", tc.name, err)
		}
	}
	if n := sink.Count(); n != 0 {
		t.Fatalf("sink got %d requests, want none", n)
	}
	// Without an ID an OZ-mode webhook still sends, without Idempotency-Key, as before.
	if err := oz.Send(context.Background(), Notification{TenantID: "t1"}); err != nil {
		t.Fatal(err)
	}
	if r := sink.Requests()[0]; len(r.Header.Values("Idempotency-Key")) != 0 {
		t.Fatalf("Idempotency-Key without an ID: %v", r.Header)
	}
}

// A hand-configured Idempotency-Key header cannot replace the notification's.
func TestWebhookIdempotencyKeyOverridesCustomHeader(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch, err := newWebhook("w", webhookConfig{URL: sink.URL(), Headers: map[string]string{"idempotency-key": "fixed"},
		Message: messageTemplate{Title: "t", Body: "b"}}, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{ID: "ntf_1", TenantID: "t1"}); err != nil {
		t.Fatal(err)
	}
	if got := sink.Requests()[0].Header.Values("Idempotency-Key"); len(got) != 1 || got[0] != "ntf_1" {
		t.Fatalf("Idempotency-Key %v, want [ntf_1]", got)
	}
}
