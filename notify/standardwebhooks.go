package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com), written as the spec
// spells them; net/http canonicalises them on the wire (Webhook-Id), and header names are
// case-insensitive.
const (
	headerWebhookID        = "webhook-id"
	headerWebhookTimestamp = "webhook-timestamp"
	headerWebhookSignature = "webhook-signature"
)

// DefaultWebhookTolerance is how far a webhook-timestamp may be from the receiver's clock, in
// either direction, when VerifyStandardWebhook is given no tolerance: the spec's recommendation.
const DefaultWebhookTolerance = 5 * time.Minute

var (
	// ErrWebhookSignature is wrapped by VerifyStandardWebhook when no v1 signature matches: the
	// secret, id, timestamp or body differ from what was signed.
	ErrWebhookSignature = errors.New("no matching webhook signature")
	// ErrWebhookTimestamp is wrapped by VerifyStandardWebhook when webhook-timestamp is outside
	// the tolerance: a replayed (or badly delayed) request, or a sender whose clock is off.
	ErrWebhookTimestamp = errors.New("webhook timestamp outside the tolerance")
)

// standardWebhookKey returns the HMAC key of a Standard Webhooks secret: the base64 remainder
// of a "whsec_" secret (the form Svix and the spec's libraries hand out), or else the secret's
// own bytes, so that an operator's existing plain secret works too.
func standardWebhookKey(secret string) ([]byte, error) {
	rest, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		if secret == "" {
			return nil, errors.New("secret is empty")
		}
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		// The decoder's error quotes an offset, not the secret; still, keep a fixed text.
		return nil, errors.New(`"whsec_" secret is not followed by standard base64`)
	}
	if len(key) == 0 {
		return nil, errors.New(`"whsec_" secret has no key after the prefix`)
	}
	return key, nil
}

// standardWebhookMAC is HMAC-SHA256(key, id "." timestamp "." body), the spec's signed content.
func standardWebhookMAC(key []byte, id, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// standardWebhookSignature returns the webhook-signature value ("v1," and the base64 HMAC-SHA256)
// for a message id sent at ts with body, as the Standard Webhooks spec defines it. The
// timestamp signed is ts in whole Unix seconds, the value of the webhook-timestamp header.
// secret is a "whsec_" secret (base64 key after the prefix) or any other non-empty string,
// whose bytes are then the key.
func standardWebhookSignature(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := standardWebhookKey(secret)
	if err != nil {
		return "", fmt.Errorf("sign standard webhook %q: %w", id, err)
	}
	return signStandardWebhook(key, id, strconv.FormatInt(ts.Unix(), 10), body), nil
}

func signStandardWebhook(key []byte, id, timestamp string, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(standardWebhookMAC(key, id, timestamp, body))
}

// VerifyStandardWebhook is the receiver's check of a Standard Webhooks request: header must
// carry webhook-id, webhook-timestamp (Unix seconds, within tolerance of now in either
// direction; tolerance ≤ 0 means DefaultWebhookTolerance) and webhook-signature, a
// space-separated list of which at least one "v1,<base64>" entry must be the HMAC of the
// exact body bytes received. Other versions are skipped, as the spec requires, so a sender
// can add a new scheme (or rotate secrets) without breaking receivers. The comparison is
// constant-time. The error wraps ErrWebhookTimestamp or ErrWebhookSignature when the request
// is well-formed but not authentic.
func VerifyStandardWebhook(secret string, header http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	key, err := standardWebhookKey(secret)
	if err != nil {
		return fmt.Errorf("verify standard webhook: %w", err)
	}
	for _, name := range []string{headerWebhookID, headerWebhookTimestamp, headerWebhookSignature} {
		if header.Get(name) == "" {
			return fmt.Errorf("verify standard webhook: missing %s header", name)
		}
	}
	id := header.Get(headerWebhookID)
	timestamp := header.Get(headerWebhookTimestamp)
	signatures := header.Get(headerWebhookSignature)
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("verify standard webhook %q: webhook-timestamp %q is not Unix seconds", id, timestamp)
	}
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	// Compare in whole seconds, the header's unit, as bounds around now: subtracting an absurd
	// secs from now could overflow.
	if limit := int64(tolerance / time.Second); secs < now.Unix()-limit || secs > now.Unix()+limit {
		return fmt.Errorf("verify standard webhook %q: sent at %d, now %d, tolerance %s: %w",
			id, secs, now.Unix(), tolerance, ErrWebhookTimestamp)
	}
	want := standardWebhookMAC(key, id, timestamp, body)
	for _, sig := range strings.Fields(signatures) {
		version, value, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("verify standard webhook %q: %w", id, ErrWebhookSignature)
}
