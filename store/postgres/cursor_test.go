package postgres

import (
	"context"
	"testing"
)

// TestCursorsListAndRange: what PostgreSQL adds to storetest's cursor
// story: the list of cursors, and ledgers beyond its bigint refused.
func TestCursorsListAndRange(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		network string
		ledger  uint64
	}{{"stellar_mainnet", 106}, {"stellar_testnet", 1019}} {
		if err := s.AdvanceCursor(ctx, c.network, c.ledger); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.Cursors(ctx)
	if err != nil || len(cs) != 2 || cs[0].Network != "stellar_mainnet" || cs[0].Ledger != 106 {
		t.Fatalf("cursors = %+v, %v", cs, err)
	}
	if err := s.AdvanceCursor(ctx, "x", 1<<63); err == nil {
		t.Fatal("ledger beyond int64 accepted")
	}
}
