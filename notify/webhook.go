package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/monitor"
)

// PayloadMode says what a webhook sends: the rendered message or the raw MonitorMatch.
type PayloadMode string

// The payload modes of OpenZeppelin Monitor's webhook trigger.
const (
	PayloadTemplate PayloadMode = "template" // {"title": TITLE, "body": BODY}
	PayloadRaw      PayloadMode = "raw"      // the MonitorMatch JSON
)

// WebhookConfig is a generic webhook trigger's configuration, secrets already resolved.
type WebhookConfig struct {
	URL     string            // destination (secret: may carry a token)
	Method  string            // GET, POST (default), PUT or DELETE
	Secret  string            // HMAC key; empty means unsigned
	Signed  bool              // a secret was configured; an empty one is then an error
	Headers map[string]string // custom headers, applied after Content-Type (may override it)
	Message Message           // used in template mode
	Mode    PayloadMode       // template (default) or raw
}

// Webhook sends a JSON payload to an arbitrary URL, optionally signed: X-Signature is the
// lowercase hex HMAC-SHA256, keyed with the secret, of the compact JSON body followed by the
// X-Timestamp value (Unix milliseconds), exactly as OpenZeppelin Monitor computes it.
type Webhook struct {
	cfg  WebhookConfig
	post *poster
	now  func() time.Time
}

// NewWebhook builds a webhook channel for trigger.
func NewWebhook(trigger string, cfg WebhookConfig, opts ...Option) (*Webhook, error) {
	o := newOptions(opts)
	cfg.Method = strings.ToUpper(strings.TrimSpace(cfg.Method))
	switch cfg.Method {
	case "":
		cfg.Method = http.MethodPost
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return nil, fmt.Errorf("notify: webhook trigger %q: method %q is not GET, POST, PUT or DELETE", trigger, cfg.Method)
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = PayloadTemplate
	case PayloadTemplate, PayloadRaw:
	default:
		return nil, fmt.Errorf("notify: webhook trigger %q: payload_mode %q is not template or raw", trigger, cfg.Mode)
	}
	if cfg.Signed && cfg.Secret == "" {
		return nil, fmt.Errorf("notify: webhook trigger %q: signing secret is empty", trigger)
	}
	if cfg.Secret != "" {
		cfg.Signed = true
	}
	secrets := []string{cfg.URL}
	if cfg.Secret != "" {
		secrets = append(secrets, cfg.Secret)
	}
	for _, v := range cfg.Headers {
		secrets = append(secrets, v) // header values are usually API keys
	}
	return &Webhook{cfg: cfg, post: newPoster("webhook", trigger, o, secrets...), now: time.Now}, nil
}

// Sign returns the X-Signature value for body sent at timestamp (Unix milliseconds, decimal).
func Sign(secret string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return hex.EncodeToString(mac.Sum(nil))
}

// Payload returns the exact body Send would post for n.
func (w *Webhook) Payload(n Notification) ([]byte, error) {
	if w.cfg.Mode == PayloadRaw {
		if len(n.MatchJSON) == 0 {
			return nil, fmt.Errorf("raw payload: no match JSON")
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, n.MatchJSON); err != nil {
			return nil, fmt.Errorf("raw payload: match JSON: %w", err)
		}
		return buf.Bytes(), nil
	}
	title, body := w.cfg.Message.Render(n.Vars)
	return monitor.MarshalNoEscape(struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}{title, body})
}

// Send makes one request.
func (w *Webhook) Send(ctx context.Context, n Notification) error {
	payload, err := w.Payload(n)
	if err != nil {
		se := w.post.fail(n.TenantID)
		se.Detail, se.Err = "build payload", err
		return se
	}
	h := jsonHeader()
	for k, v := range w.cfg.Headers {
		h.Set(k, v)
	}
	if w.cfg.Signed {
		ts := strconv.FormatInt(w.now().UnixMilli(), 10)
		h.Set("X-Signature", Sign(w.cfg.Secret, payload, ts))
		h.Set("X-Timestamp", ts)
	}
	return w.post.do(ctx, n.TenantID, w.cfg.Method, w.cfg.URL, h, payload)
}
