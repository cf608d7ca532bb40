package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeResolve resolves what one delivered notification opened (a PagerDuty
// incident, an Opsgenie alert) once its monitor has had no match through
// that trigger for the trigger's auto_resolve_after.
const TypeResolve = "resolve"

// Resolve is the auto-resolve timer of one notification: a delayed task,
// armed when the notification is delivered, with a TaskID derived from the
// notification's, so a retried or replayed delivery arms nothing new. When
// it runs and a later match of the same (tenant, monitor, trigger) moved
// the quiet period on, it re-arms itself for the new end (Due) instead of
// resolving. It carries no secret and no match data.
type Resolve struct {
	V              int    `json:"v"`
	TenantID       string `json:"tenant_id"`
	Monitor        string `json:"monitor"`
	Network        string `json:"network"`
	Trigger        string `json:"trigger"`
	Tier           Tier   `json:"tier"`
	NotificationID string `json:"notification_id"`
	// SentAt is when the notification was delivered: the quiet period of
	// its monitor runs from the latest such time.
	SentAt time.Time `json:"sent_at"`
	// Due is set on a re-armed timer: the end of the quiet period it waits
	// for. Each re-arm is a new task (its TaskID names Due).
	Due time.Time `json:"due,omitzero"`
	// Paced says the per-tenant rate limit's slot for this resolve was
	// already taken (the task was re-armed to wait for it).
	Paced bool `json:"paced,omitempty"`
}

func (Resolve) Type() string    { return TypeResolve }
func (p Resolve) Queue() string { return NotifyQueue(p.Tier) }
func (p Resolve) TaskID() string {
	id := fmt.Sprintf("resolve:%s:%s", p.TenantID, p.NotificationID)
	if !p.Due.IsZero() {
		id += fmt.Sprintf(":%d", p.Due.UnixMilli())
		if p.Paced {
			id += ":paced"
		}
	}
	return id
}

// Resolve tasks retry with the trigger's policy (the handler's RetryIn);
// MaxRetry is the ceiling. A day's retention keeps a redelivered
// notification from arming a second timer while the first may still run;
// one armed after that only resolves again, which the vendors accept.
func (Resolve) Options() []asynq.Option { return options(10, 60*time.Second, 24*time.Hour) }

// MarshalJSON stamps the payload version.
func (p Resolve) MarshalJSON() ([]byte, error) {
	type plain Resolve
	p.V = payloadVersion
	return json.Marshal(plain(p))
}

// payloadVersion lets Decode check the version after one decoding pass.
func (p *Resolve) payloadVersion() int { return p.V }
