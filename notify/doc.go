// Package notify owns ozmon's outbound notifications: ${...} templates, the Slack, Discord,
// Telegram, email, webhook and script channels, retry backoff, the SSRF guard and per-tenant rate limits.
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
package notify
