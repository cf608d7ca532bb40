package notify

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Backoff is the delay before retry number attempt+1 (attempt 0 is the first retry) under
// policy, as OpenZeppelin Monitor's retry middleware computes it: initial_backoff ×
// base_for_backoff^attempt, with full jitter drawing uniformly from [0, that], and the result
// kept within [initial_backoff, max_backoff]. Zero fields fall back to OZ's defaults (250 ms,
// base 2, 10 s).
func Backoff(policy ozconfig.RetryPolicy, attempt int) time.Duration {
	def := ozconfig.DefaultRetryPolicy()
	initial, maxDelay, base := policy.InitialBackoff, policy.MaxBackoff, policy.BaseForBackoff
	if initial <= 0 {
		initial = def.InitialBackoff
	}
	if maxDelay <= 0 {
		maxDelay = def.MaxBackoff
	}
	if maxDelay < initial {
		maxDelay = initial
	}
	if base == 0 {
		base = def.BaseForBackoff
	}
	if attempt < 0 {
		attempt = 0
	}
	// Compute in float64 so large attempts saturate at the cap instead of overflowing.
	d := float64(initial) * math.Pow(float64(base), float64(attempt))
	if d > float64(maxDelay) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(maxDelay)
	}
	if policy.Jitter != ozconfig.JitterNone {
		d = rand.Float64() * d
	}
	delay := time.Duration(d)
	return min(max(delay, initial), maxDelay)
}

// RetryPolicy returns the retry policy that applies to t's channel: the configured one for
// Slack, Discord, Telegram, webhook, PagerDuty, Opsgenie, Datadog and Teams; for email the same with base 2 (OpenZeppelin Monitor
// ignores base_for_backoff there); for scripts no retries at all, since a script may already
// have acted.
func RetryPolicy(t *ozconfig.Trigger) ozconfig.RetryPolicy {
	switch {
	case t.Slack != nil:
		return t.Slack.RetryPolicy
	case t.Discord != nil:
		return t.Discord.RetryPolicy
	case t.Telegram != nil:
		return t.Telegram.RetryPolicy
	case t.Webhook != nil:
		return t.Webhook.RetryPolicy
	case t.PagerDuty != nil:
		return t.PagerDuty.RetryPolicy
	case t.Opsgenie != nil:
		return t.Opsgenie.RetryPolicy
	case t.Datadog != nil:
		return t.Datadog.RetryPolicy
	case t.Teams != nil:
		return t.Teams.RetryPolicy
	case t.Email != nil:
		p := t.Email.RetryPolicy
		p.BaseForBackoff = 2
		return p
	}
	p := ozconfig.DefaultRetryPolicy()
	p.MaxRetries = 0
	return p
}
