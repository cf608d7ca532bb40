package notify

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SendError is the failure of one delivery attempt. It names the channel, tenant and trigger
// and, for HTTP channels, the response status (for email, the SMTP reply code), but never the
// destination URL or any credential: Slack, Discord and Telegram URLs are themselves secrets.
type SendError struct {
	Channel    string        // "slack", "discord", "telegram", "email", "webhook", "script", "pagerduty", "opsgenie", "datadog", "teams"
	TenantID   string        // tenant the notification belongs to
	Trigger    string        // trigger name
	StatusCode int           // HTTP status or SMTP reply code; 0 when no response was received
	Retryable  bool          // whether a later attempt may succeed
	RetryAfter time.Duration // the server's requested wait (Retry-After), 0 if none
	Detail     string        // redacted, short description of what went wrong
	Err        error         // the cause, already free of URLs and secrets; may be nil
}

func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify %s: tenant %q trigger %q", e.Channel, e.TenantID, e.Trigger)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Retryable {
		b.WriteString(" (retryable")
		if e.RetryAfter > 0 {
			b.WriteString(", retry after ")
			b.WriteString(e.RetryAfter.String())
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (permanent)")
	}
	return b.String()
}

func (e *SendError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is, or wraps, a *SendError marked retryable.
func IsRetryable(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Retryable
}

// ErrRefused is wrapped by errors for destinations the Guard refuses.
var ErrRefused = errors.New("destination refused")

// errScriptsDisabled is returned by New for a script trigger when the operator has not enabled
// scripts.
var errScriptsDisabled = errors.New("script triggers are disabled")

// redactor removes known secrets from text that may reach an error message.
type redactor []string

// longest is the length of the longest secret.
func (r redactor) longest() int {
	n := 0
	for _, s := range r {
		n = max(n, len(s))
	}
	return n
}

func (r redactor) clean(s string) string {
	for _, secret := range r {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// cleanError is an error whose text has been redacted; it still unwraps to the cause so that
// errors.Is(err, context.DeadlineExceeded) keeps working.
type cleanError struct {
	msg   string
	cause error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.cause }

// transportError turns an HTTP client error into a redacted cause and its retryability.
// *url.Error prints the full request URL, so only its inner error is kept.
func transportError(err error, r redactor) (error, bool) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// Everything but a guard refusal is worth another attempt: connection errors, timeouts,
	// and cancellation (the worker stopped; the destination did not refuse).
	return &cleanError{msg: r.clean(err.Error()), cause: err}, !errors.Is(err, ErrRefused)
}

// classifyStatus says whether an HTTP status is worth retrying: 408, 429 and 5xx are
// transient, every other non-2xx is permanent (a retry would fail the same way).
func classifyStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
}

// retryAfter is how long a retryable response asks the sender to wait: its Retry-After
// header; for a 429 without one, the vendors' rate-limit headers: X-RateLimit-Reset-After
// (seconds, Discord), X-RateLimit-Reset (seconds until the window resets for Datadog; a Unix
// time for Discord and others, told apart by size) and X-RateLimit-Period-In-Sec (Opsgenie's
// window). Rate-limit headers on other statuses describe the budget, not this failure, and are
// ignored. 0 means the response asks for nothing: the retry policy decides.
func retryAfter(status int, h http.Header, now time.Time) time.Duration {
	if d := parseRetryAfter(h.Get("Retry-After"), now); d > 0 || status != http.StatusTooManyRequests {
		return d
	}
	for _, name := range []string{"X-RateLimit-Reset-After", "X-RateLimit-Reset", "X-RateLimit-Period-In-Sec"} {
		v, err := strconv.ParseFloat(strings.TrimSpace(h.Get(name)), 64)
		if err != nil || v <= 0 || math.IsInf(v, 0) {
			continue
		}
		if v > 1e9 { // a Unix time, not a number of seconds (1e9 s is 31 years)
			v = float64(time.Unix(0, int64(v*1e9)).Sub(now)) / float64(time.Second)
			if v <= 0 {
				continue
			}
		}
		return min(time.Duration(v*float64(time.Second)), 24*time.Hour)
	}
	return 0
}

// parseRetryAfter reads a Retry-After header given as delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		// Cap absurd values; the caller's retry policy still applies its own maximum.
		return min(time.Duration(secs*float64(time.Second)), 24*time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}
