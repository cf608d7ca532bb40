// Package tasks is the pipeline's contract: the three task types
// (fetch-block, evaluate-tenants, deliver), their versioned payloads, queue
// names and weights, deterministic TaskIDs and enqueue options.
//
// A payload type knows its task type, its queue and its TaskID, so that
// every producer enqueues the same step the same way:
//
//	p := tasks.FetchBlock{Network: "stellar_mainnet", Ledger: 63092982}
//	enqueued, err := tasks.Enqueue(ctx, client, p)
//
// Enqueue treats asynq.ErrTaskIDConflict as "already scheduled or done"
// (enqueued == false, err == nil): that is what makes several schedulers and
// retried handlers safe without leader election.
package tasks
