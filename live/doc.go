// Package live owns the tenants' live event streams: what the workers
// publish (each match and each delivery outcome, appended to a per-tenant
// Redis Stream of bounded length) and how an API process fans them out to
// that tenant's subscribers.
//
// Workers publish with a Publisher, best-effort: the pipeline has already
// done its work, a short timeout bounds the write, and an event Redis does
// not take is counted (oz_monitor_live_publish_failures_total) and dropped,
// never retried at the pipeline's expense.
//
// An API process subscribes through one Hub. The hub reads each tenant's
// stream once however many subscribers the tenant has (a feed, started on
// the first subscription and stopped after the last), with a few reader
// goroutines that each block on one XREAD over many tenants' keys, so the
// Redis connections it holds do not grow with tenants or subscribers.
//
//	hub := live.NewHub(rdb, live.WithBuffer(256))
//	defer hub.Close()
//	sub, err := hub.Subscribe(ctx, tenantID, live.Filter{Kind: live.KindMatch}, lastSeenID)
//	for ev := range sub.Events() { ... ev.ID is the resume token ... }
//	err = sub.Err() // why the channel closed
//
// Resume: a subscriber that passes the id of the last event it saw gets
// every retained event after it, then live ones, without gap or duplicate;
// an id older than the retained window is refused with an
// *OutsideWindowError (errors.Is ErrOutsideWindow) naming the oldest id
// still available. A subscriber whose buffer fills is cut off with
// ErrSlowSubscriber; the reader never waits for it. docs/live.md has the
// stream layout and the policies.
package live
