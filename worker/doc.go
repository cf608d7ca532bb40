// Package worker owns a worker pod's asynq servers: one for the pipeline
// queues, one for the notify queues, the queues drained as the tenants'
// tiers change, and a graceful shutdown that waits for every handler.
//
// It runs whatever asynq.Handler it is given (normally handlers.Mux).
package worker
