package postgres

import (
	"context"
	"testing"
	"time"
)

// prepareBenchLog makes the partitions a 90-day retention keeps (13 past
// weeks, four ahead and the default: 19).
func prepareBenchLog(b *testing.B, s *Store) {
	b.Helper()
	now := time.Now()
	if _, err := s.EnsureDeliveryPartitions(context.Background(), now.Add(-90*24*time.Hour), now.Add(PartitionsAhead)); err != nil {
		b.Fatal(err)
	}
	parts, _ := s.DeliveryPartitions(context.Background())
	b.Logf("%d partitions", len(parts))
}
