package scheduler

import "context"

// Cursors stores each network's last enqueued ledger durably.
// Every store implements it (store/postgres, store/memory).
type Cursors interface {
	Cursor(ctx context.Context, network string) (ledger uint64, ok bool, err error)
	// AdvanceCursor moves the cursor forward; a lower value is a no-op.
	AdvanceCursor(ctx context.Context, network string, ledger uint64) error
}
