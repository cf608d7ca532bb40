// Package replay owns re-queuing notifications from the delivery log: the
// rules `ozmon admin deliveries retry` and the tenant API's retryDeliveries
// share. A failed or archived delivery's task is queued again; a delivered
// or in-doubt one only when forced, after its record is reset so the
// worker's own check does not refuse the resend. A task that has left
// Redis (past notify.retention) is rebuilt from the compacted payload the
// delivery log keeps with the record.
package replay
