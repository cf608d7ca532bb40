// Package usage owns per-tenant cost attribution: a Meter the workers count
// into (ledgers evaluated, candidate monitor evaluations, evaluation time,
// matches, deliveries by outcome) and that flushes its counts, rolled up
// per tenant and clock hour, into a Sink (PostgreSQL's ozmon_usage_hourly,
// through (*postgres.Store).AddUsage).
//
// Counting is cheap enough for the evaluation hot path: a count takes one
// of 64 shard locks chosen by the tenant id's hash and updates a map entry
// in place, with no allocation once the tenant has an entry in the current
// interval. Tenants on different shards never wait for each other.
//
//	m := usage.New(st, usage.WithInterval(10*time.Second), usage.WithLogger(log))
//	go m.Run(ctx)          // flushes every interval until ctx ends
//	...                    // handlers call m.Evaluated, m.Delivery
//	m.Shutdown()           // after the handlers stopped: the last flush
//
// Each worker flushes only what it counted; the sink adds, so counts from
// many workers sum. A flush that fails keeps its counts for the next one
// (up to WithMaxPending tenant-hours); a process killed between flushes
// loses at most one interval of its counts. See docs/usage.md.
package usage
