package store

import "time"

// Cursor is the last ledger processed on a network.
type Cursor struct {
	Network   string
	Ledger    uint64
	UpdatedAt time.Time
}
