// Package notify owns ozmon's outbound notifications: ${...} templates, the Slack, Discord,
// Telegram, email, webhook and script channels and the incident channels (PagerDuty, Opsgenie,
// Datadog, Microsoft Teams), retry backoff, the SSRF guard and per-tenant rate limits.
//
// A Channel is built once per trigger with New and sends one Notification per call to Send:
// one attempt, no retries inside. A failure is a *SendError that says whether retrying can help
// (Retryable, RetryAfter); the caller schedules the retry with Backoff and the trigger's retry
// policy:
//
//	ch, err := notify.New(trigger, notify.WithGuard(guard))
//	err = ch.Send(ctx, notify.Notification{TenantID: tenant, Vars: vars, MatchJSON: match})
//	var se *notify.SendError
//	if errors.As(err, &se) && se.Retryable {
//		delay := max(se.RetryAfter, notify.Backoff(policy, attempt))
//		// re-enqueue after delay
//	}
//
// Every network destination passes a Guard twice: when the URL is checked and again when the
// socket is dialled, against the address actually connected to, so DNS rebinding cannot reach
// loopback, private or metadata addresses that the operator did not allow-list.
//
// PagerDuty and Opsgenie name what they open after the notification's ID (dedup_key, alias), so
// a retry, a resend in doubt or a replay lands on the incident the first attempt opened. They
// are Resolvers: Resolve closes that incident. When to call it (auto_resolve_after) is the
// delivery handler's business, not this package's: see handlers.Resolve.
package notify
