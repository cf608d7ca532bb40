// Package scheduler owns the per-network cron loop: read the tip, subtract
// the confirmations, enqueue one fetch-block task per ledger after the
// durable cursor, and advance the cursor — never backwards.
//
// Several schedulers may run at once: the fetch-block TaskID makes each
// ledger's enqueue happen once, so no leader election is needed.
package scheduler
