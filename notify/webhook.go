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

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// payloadMode says what a webhook sends: the rendered message or the raw MonitorMatch.
type payloadMode string

// The payload modes of OpenZeppelin Monitor's webhook trigger.
const (
	payloadTemplate payloadMode = "template" // {"title": TITLE, "body": BODY}
	payloadRaw      payloadMode = "raw"      // the MonitorMatch JSON
)

// signingScheme says how a signed webhook proves its origin (the trigger's "signing" field).
type signingScheme string

// The signing schemes.
const (
	// SigningOZ is OpenZeppelin Monitor's X-Signature / X-Timestamp HMAC, the default.
	signingOZ signingScheme = "oz"
	// SigningStandardWebhooks is the Standard Webhooks scheme: webhook-id, webhook-timestamp
	// and webhook-signature (see standardWebhookSignature). It needs a secret.
	signingStandardWebhooks signingScheme = "standard_webhooks"
)

// webhookConfig is a generic webhook trigger's configuration, secrets already resolved.
type webhookConfig struct {
	URL     string            // destination (secret: may carry a token)
	Method  string            // GET, POST (default), PUT or DELETE
	Secret  string            // HMAC key; empty means unsigned
	Signed  bool              // a secret was configured; an empty one is then an error
	Headers map[string]string // custom headers, applied after Content-Type (may override it)
	Message messageTemplate   // used in template mode
	Mode    payloadMode       // template (default) or raw
	Signing signingScheme     // oz (default) or standard_webhooks, which requires Secret
}

// webhookChannel sends a JSON payload to an arbitrary URL. Every request carries the notification's
// ID as Idempotency-Key, the same on every retry, so the receiver can drop duplicates. A
// webhook with a secret signs its requests. By default (SigningOZ) X-Signature is the
// lowercase hex HMAC-SHA256, keyed with the secret, of the compact JSON body followed by the
// X-Timestamp value (Unix milliseconds), exactly as OpenZeppelin Monitor computes it; with
// SigningStandardWebhooks it sends webhook-id, webhook-timestamp and webhook-signature
// instead.
type webhookChannel struct {
	cfg  webhookConfig
	key  []byte // Standard Webhooks HMAC key, decoded once from the secret
	post *poster
	now  func() time.Time
}

// newWebhook builds a webhook channel for trigger.
func newWebhook(trigger string, cfg webhookConfig, opts ...Option) (*webhookChannel, error) {
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
		cfg.Mode = payloadTemplate
	case payloadTemplate, payloadRaw:
	default:
		return nil, fmt.Errorf("notify: webhook trigger %q: payload_mode %q is not template or raw", trigger, cfg.Mode)
	}
	if cfg.Signed && cfg.Secret == "" {
		return nil, fmt.Errorf("notify: webhook trigger %q: signing secret is empty", trigger)
	}
	if cfg.Secret != "" {
		cfg.Signed = true
	}
	var key []byte
	switch cfg.Signing {
	case "":
		cfg.Signing = signingOZ
	case signingOZ:
	case signingStandardWebhooks:
		if !cfg.Signed {
			return nil, fmt.Errorf("notify: webhook trigger %q: signing %q needs a secret", trigger, cfg.Signing)
		}
		var err error
		if key, err = standardWebhookKey(cfg.Secret); err != nil {
			return nil, fmt.Errorf("notify: webhook trigger %q: signing secret: %w", trigger, err)
		}
	default:
		return nil, fmt.Errorf("notify: webhook trigger %q: signing %q is not oz or standard_webhooks", trigger, cfg.Signing)
	}
	secrets := []string{cfg.URL}
	if cfg.Secret != "" {
		secrets = append(secrets, cfg.Secret)
	}
	for _, v := range cfg.Headers {
		secrets = append(secrets, v) // header values are usually API keys
	}
	return &webhookChannel{cfg: cfg, key: key, post: newPoster("webhook", trigger, o, secrets...), now: time.Now}, nil
}

// signOZ returns the X-Signature value for body sent at timestamp (Unix milliseconds, decimal).
func signOZ(secret string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return hex.EncodeToString(mac.Sum(nil))
}

// Payload returns the exact body Send would post for n.
func (w *webhookChannel) Payload(n Notification) ([]byte, error) {
	if w.cfg.Mode == payloadRaw {
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
	return ozconfig.MarshalNoEscape(struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}{title, body})
}

// Send makes one request.
func (w *webhookChannel) Send(ctx context.Context, n Notification) error {
	payload, err := w.Payload(n)
	if err != nil {
		se := w.post.fail(n.TenantID)
		se.Detail, se.Err = "build payload", err
		return se
	}
	if err := w.checkID(n.ID); err != nil {
		se := w.post.fail(n.TenantID)
		se.Detail, se.Err = "idempotency key", err
		return se
	}
	h := jsonHeader()
	for k, v := range w.cfg.Headers {
		h.Set(k, v)
	}
	// Set after the custom headers: a fixed Idempotency-Key configured by hand would make
	// the receiver drop every notification after the first.
	if n.ID != "" {
		h.Set("Idempotency-Key", n.ID)
	}
	// The timestamp is taken per attempt, so a retry is signed afresh and stays inside the
	// receiver's replay window; the id stays the same, so the receiver sees a duplicate.
	switch {
	case w.cfg.Signing == signingStandardWebhooks:
		ts := strconv.FormatInt(w.now().Unix(), 10)
		h.Set(headerWebhookID, n.ID)
		h.Set(headerWebhookTimestamp, ts)
		h.Set(headerWebhookSignature, signStandardWebhook(w.key, n.ID, ts, payload))
	case w.cfg.Signed:
		ts := strconv.FormatInt(w.now().UnixMilli(), 10)
		h.Set("X-Signature", signOZ(w.cfg.Secret, payload, ts))
		h.Set("X-Timestamp", ts)
	}
	return w.post.do(ctx, n.TenantID, w.cfg.Method, w.cfg.URL, h, payload)
}

// checkID checks a notification's ID before anything is sent. Standard Webhooks signs the id,
// and a webhook-id that changed between attempts would defeat the receiver's deduplication,
// so that mode refuses to send without one.
func (w *webhookChannel) checkID(id string) error {
	if id == "" {
		if w.cfg.Signing == signingStandardWebhooks {
			return fmt.Errorf("signing %q needs the notification ID for webhook-id", w.cfg.Signing)
		}
		return nil
	}
	return checkID(id)
}
