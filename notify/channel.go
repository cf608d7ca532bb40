package notify

import (
	"context"
	"strconv"
	"time"
)

// Channel delivers notifications for one trigger. Send makes exactly one attempt; retrying is
// the caller's decision, guided by the *SendError it returns.
type Channel interface {
	Send(ctx context.Context, n Notification) error
}

// Notification is one match to announce through a trigger.
type Notification struct {
	// ID is the notification's idempotency key (tasks.Deliver.NotificationID):
	// the same on every attempt, after crashes and replays. Channels send it
	// where the receiver can deduplicate on it (see CarriesID). It may hold
	// letters, digits, '_' and '-' only; a channel refuses anything else.
	ID string
	// TenantID owns the match; it appears in errors and keys the rate limit.
	TenantID string
	// Vars are the template variables of the match (monitor.name, transaction.hash,
	// functions.0.args.amount, …); each channel renders its trigger's message with them.
	Vars map[string]string
	// MatchJSON is the MonitorMatch JSON, the payload of raw webhooks and scripts.
	MatchJSON []byte
	// Monitor and Network name the match's monitor and network (the OZ slug); the
	// incident channels tag and describe events with them. Either may be empty.
	Monitor string
	Network string
	// MatchedAt is when the match happened (the ledger's close time), zero if unknown;
	// PagerDuty and Datadog date their events with it.
	MatchedAt time.Time
}

// messageTemplate is a trigger's title and body templates.
type messageTemplate struct {
	Title string
	Body  string
}

// Render substitutes vars into the title and body.
func (m messageTemplate) Render(vars map[string]string) (title, body string) {
	return render(m.Title, vars), render(m.Body, vars)
}

// RenderEscaped substitutes vars, each escaped for the channel's markup, into the title and
// body (see renderEscaped).
func (m messageTemplate) RenderEscaped(vars map[string]string, escape func(string) string) (title, body string) {
	return renderEscaped(m.Title, vars, escape), renderEscaped(m.Body, vars, escape)
}

// The channels hold resolved secrets (URLs with tokens, passwords), so each one formats as
// its kind and trigger name only: a channel printed by %v, %+v or %#v reveals nothing.

func (s *slackChannel) String() string   { return "notify.Slack{trigger: " + quote(s.post.trigger) + "}" }
func (s *slackChannel) GoString() string { return s.String() }
func (d *discordChannel) String() string {
	return "notify.Discord{trigger: " + quote(d.post.trigger) + "}"
}
func (d *discordChannel) GoString() string { return d.String() }
func (t *telegramChannel) String() string {
	return "notify.Telegram{trigger: " + quote(t.post.trigger) + "}"
}
func (t *telegramChannel) GoString() string { return t.String() }
func (w *webhookChannel) String() string {
	return "notify.Webhook{trigger: " + quote(w.post.trigger) + "}"
}
func (w *webhookChannel) GoString() string { return w.String() }
func (e *emailChannel) String() string     { return "notify.Email{trigger: " + quote(e.trigger) + "}" }
func (e *emailChannel) GoString() string   { return e.String() }
func (s *scriptChannel) String() string    { return "notify.Script{trigger: " + quote(s.trigger) + "}" }
func (s *scriptChannel) GoString() string  { return s.String() }

func (p *pagerDutyChannel) String() string {
	return "notify.PagerDuty{trigger: " + quote(p.post.trigger) + "}"
}
func (p *pagerDutyChannel) GoString() string { return p.String() }
func (c *opsgenieChannel) String() string {
	return "notify.Opsgenie{trigger: " + quote(c.post.trigger) + "}"
}
func (c *opsgenieChannel) GoString() string { return c.String() }
func (d *datadogChannel) String() string {
	return "notify.Datadog{trigger: " + quote(d.post.trigger) + "}"
}
func (d *datadogChannel) GoString() string { return d.String() }
func (c *teamsChannel) String() string     { return "notify.Teams{trigger: " + quote(c.post.trigger) + "}" }
func (c *teamsChannel) GoString() string   { return c.String() }

func quote(s string) string { return strconv.Quote(s) }

// UsesMatchJSON reports whether ch sends Notification.MatchJSON (raw webhooks and scripts);
// the other channels need the template variables only, so a caller may leave MatchJSON unset
// and skip rebuilding it.
func UsesMatchJSON(ch Channel) bool {
	switch c := ch.(type) {
	case *webhookChannel:
		return c.cfg.Mode == payloadRaw
	case *scriptChannel:
		return true
	}
	return false
}
