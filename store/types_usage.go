package store

import "time"

// UsageHour is one tenant's metered usage in one clock hour (UTC): the
// unit of cost attribution. Counts from every worker add up into one row.
type UsageHour struct {
	TenantID string
	// Hour is the start of the hour, in UTC.
	Hour time.Time
	// Ledgers counts the tenant evaluated against a ledger (once per
	// ledger the tenant had candidate monitors in).
	Ledgers int64
	// Evaluations counts candidate monitor evaluations.
	Evaluations int64
	// EvalCPUMicros is the evaluation time spent on the tenant (wall time of the
	// in-memory evaluation; see docs/usage.md), in microseconds.
	EvalCPUMicros int64
	Matches       int64
	// Delivered, Failed, Archived and Retried count delivery attempts by
	// outcome: accepted by the receiver; failed (every failed send);
	// archived (the notification given up, never delivered); retried (a
	// failed send that will be tried again).
	Delivered, Failed, Archived, Retried int64
}

// MaxUsageRange is the widest range a usage query may ask for: 31 days of
// hourly rows per tenant.
const MaxUsageRange = 31 * 24 * time.Hour
