package tasks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeDeliver sends one notification: one match through one trigger.
const TypeDeliver = "deliver"

// deliverPayloadVersion is the version a Deliver payload is written with.
// Version 2 carries MatchRef, a MonitorMatch without the monitor's
// configuration; version 1 carried the whole MonitorMatch in Match and is
// still read, so tasks enqueued before an upgrade are delivered.
const deliverPayloadVersion = 2

// Deliver is one (match, trigger) pair. It carries the match's template
// variables and a reference to its MonitorMatch, never the trigger's
// configuration nor the monitor's: the handler loads the trigger (and its
// secrets) and the monitor from the tenant's current configuration, so no
// secret sits in Redis or shows in asynqmon, and a task's size does not
// grow with the monitor (a deliver task is retained for days; a 1.4 MB
// expression copied into each one filled Redis in seconds).
type Deliver struct {
	V        int    `json:"v"`
	TenantID string `json:"tenant_id"`
	Monitor  string `json:"monitor"`
	Network  string `json:"network"`
	Ledger   uint64 `json:"ledger"`
	TxHash   string `json:"tx_hash"`
	Trigger  string `json:"trigger"`
	Tier     Tier   `json:"tier"`
	// Vars are the template variables of the match.
	Vars map[string]string `json:"vars"`
	// Match is OpenZeppelin Monitor's whole MonitorMatch JSON: written by
	// version 1 only, read when present.
	Match json.RawMessage `json:"match,omitempty"`
	// MatchRef is the MonitorMatch with the monitor's configuration and
	// the matched expressions cut out (an encoded monitor.MatchRef, opaque
	// here); the handler rebuilds the MonitorMatch from it when sending.
	MatchRef json.RawMessage `json:"match_ref,omitempty"`
	// ScheduledAt is carried from FetchBlock for latency accounting.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	// LedgerClosedAt is the ledger's close time: the latency metric runs
	// from it to the receiver's answer.
	LedgerClosedAt time.Time `json:"ledger_closed_at,omitzero"`
}

func (Deliver) Type() string    { return TypeDeliver }
func (p Deliver) Queue() string { return NotifyQueue(p.Tier) }
func (p Deliver) TaskID() string {
	return fmt.Sprintf("deliver:%s:%s:%s:%d:%s:%s", p.TenantID, p.Monitor, p.Network, p.Ledger, p.TxHash, p.Trigger)
}

// NotificationID is the notification's idempotency key: derived from the
// TaskID alone, so it is the same on every attempt, after a crash, a
// replay or a re-driven ledger, and receivers can drop a second copy. It
// names nothing of the tenant (a hash), so it is safe in any header.
func (p Deliver) NotificationID() string { return notificationID(p.TaskID()) }

// notificationID derives a notification id ("ntf_" and 32 hex digits)
// from a deliver TaskID.
func notificationID(deliverTaskID string) string {
	sum := sha256.Sum256([]byte(deliverTaskID))
	return "ntf_" + hex.EncodeToString(sum[:16])
}

// DeliverRetention is how long a finished deliver task stays in Redis by
// default (notify.retention). Short: the delivery log, not the task, is
// what keeps a notification from being sent twice (a re-enqueued task for
// a delivered record sends nothing), and it keeps the compacted payload a
// forced resend rebuilds the task from (replay). A week of retained tasks
// cost Redis a few KB per notification for nothing the log lacks.
const DeliverRetention = time.Hour

// Deliver retries are governed by the trigger's retry_policy (the handler
// returns a RetryIn delay); MaxRetry here is only the ceiling.
func (Deliver) Options() []asynq.Option { return options(10, 60*time.Second, DeliverRetention) }

// MarshalJSON stamps the payload version.
func (p Deliver) MarshalJSON() ([]byte, error) {
	type plain Deliver
	p.V = deliverPayloadVersion
	return json.Marshal(plain(p))
}

// payloadVersion lets Decode check the version after one decoding pass.
func (p *Deliver) payloadVersion() int { return p.V }

// readsVersion: version 1 payloads (whole MonitorMatch) are still read.
func (p *Deliver) readsVersion(v int) bool { return v == 1 || v == deliverPayloadVersion }

// WithMaxRetry returns the deliver options with a trigger-specific retry
// ceiling.
func (p Deliver) WithMaxRetry(n int) []asynq.Option {
	return options(n, 60*time.Second, DeliverRetention)
}
