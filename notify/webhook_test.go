package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/notify"
)

// recomputeSignature is the receiver's side of OZ's scheme, written independently of Sign.
func recomputeSignature(secret string, body []byte, ts string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(append(append([]byte{}, body...), ts...))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestWebhookTemplateSigned(t *testing.T) {
	t.Parallel()
	sink := testkit.StartWebhookSink(t)
	const secret = "hmac-key-0123456789"
	ch, err := notify.NewWebhook("vault hook", notify.WebhookConfig{
		URL:     sink.URL() + "/monitor?token=abc123",
		Method:  "put",
		Secret:  secret,
		Headers: map[string]string{"Authorization": "Bearer abc", "X-Custom": "1"},
		Message: notify.Message{Title: "${monitor.name}", Body: "${transaction.hash} <&>"},
	}, notify.WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UnixMilli()
	if err := ch.Send(context.Background(), notify.Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
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
	sink := testkit.StartWebhookSink(t)
	ch, err := notify.NewWebhook("raw hook", notify.WebhookConfig{
		URL:     sink.URL() + "/matches",
		Mode:    notify.PayloadRaw,
		Headers: map[string]string{"Content-Type": "application/vnd.ozmon+json", "X-API-Key": "k1"},
	}, notify.WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	match := []byte("{\n  \"Stellar\": {\n    \"network_slug\": \"stellar_mainnet\",\n    \"matched_on\": {\"functions\": [] }\n  }\n}\n")
	if err := ch.Send(context.Background(), notify.Notification{TenantID: "t1", MatchJSON: match}); err != nil {
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
	err = ch.Send(context.Background(), notify.Notification{TenantID: "t1", MatchJSON: []byte("{nope")})
	if err == nil || notify.IsRetryable(err) {
		t.Fatalf("invalid match JSON: got %v", err)
	}
	if sink.Count() != 1 {
		t.Fatalf("sink got %d requests, want 1", sink.Count())
	}
}

func TestWebhookConfigErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]notify.WebhookConfig{
		"bad method":   {URL: "http://127.0.0.1/", Method: "PATCH"},
		"bad mode":     {URL: "http://127.0.0.1/", Mode: "xml"},
		"empty secret": {URL: "http://127.0.0.1/", Signed: true},
	} {
		if _, err := notify.NewWebhook("w", cfg); err == nil {
			t.Errorf("%s: NewWebhook accepted %+v", name, cfg)
		}
	}
}

func TestWebhookRetryClassification(t *testing.T) {
	t.Parallel()
	sink := testkit.StartWebhookSink(t,
		testkit.SinkFailTimes(2, 500),
		testkit.SinkRateLimited(1, "2"),
		testkit.SinkResponses(
			testkit.SinkResponse{Status: 408},
			testkit.SinkResponse{Status: 400, Body: "bad request: k-secret-header"},
			testkit.SinkResponse{Status: 302, Header: http.Header{"Location": {"http://169.254.169.254/"}}},
		))
	const secret = "s3cr3t-hmac"
	ch, err := notify.NewWebhook("retry hook", notify.WebhookConfig{
		URL:     sink.URL() + "/hook/tok-path-secret",
		Secret:  secret,
		Headers: map[string]string{"X-API-Key": "k-secret-header"},
		Message: notify.Message{Title: "t", Body: "b"},
	}, notify.WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status    int
		retryable bool
		after     time.Duration
	}{{500, true, 0}, {500, true, 0}, {429, true, 2 * time.Second}, {408, true, 0}, {400, false, 0}, {302, false, 0}}
	for i, w := range want {
		err := ch.Send(context.Background(), notify.Notification{TenantID: "tenant-1"})
		var se *notify.SendError
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
	if err := ch.Send(context.Background(), notify.Notification{TenantID: "tenant-1"}); err != nil {
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
	sink := testkit.StartWebhookSink(t, testkit.SinkResponses(testkit.SinkResponse{Delay: 10 * time.Second}))
	ch, err := notify.NewWebhook("slow hook", notify.WebhookConfig{
		URL: sink.URL() + "/slow", Message: notify.Message{Title: "t", Body: "b"},
	}, notify.WithGuard(localGuard(t)), notify.WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), notify.Notification{TenantID: "t1"})
	if err == nil || !notify.IsRetryable(err) {
		t.Fatalf("slow receiver: got %v, want a retryable error", err)
	}
}

func TestWebhookRefusesNonHTTPScheme(t *testing.T) {
	t.Parallel()
	ch, err := notify.NewWebhook("file hook", notify.WebhookConfig{URL: "file:///etc/passwd", Message: notify.Message{Title: "t", Body: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), notify.Notification{TenantID: "t1"})
	if err == nil || notify.IsRetryable(err) || strings.Contains(err.Error(), "passwd") {
		t.Fatalf("file URL: got %v, want a permanent error that does not show the URL", err)
	}
}
