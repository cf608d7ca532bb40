// Package handlers owns ozmon's asynq handlers — FetchBlock,
// EvaluateTenants, Deliver, and Resolve (auto_resolve_after, see
// resolve.go) — the ServeMux that routes to them, their middleware, and
// the reorg walk. They read tenants from a
// tenants.Registry; package worker runs them.
//
// It is the one place where the queue, the cache, the store, the monitor
// engine and the notification channels meet; each of those packages knows
// nothing of the others. Chains enter only through BlockFetcher and
// monitor.SpecSource, so no handler has an "if stellar".
package handlers
