package usage_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/usage"
)

// printSink is a Sink that prints what a flush writes; a worker's sink is
// (*postgres.Store).
type printSink struct{}

func (printSink) AddUsage(_ context.Context, rows []store.UsageHour) error {
	for _, r := range rows {
		fmt.Printf("%s %s: %d ledgers, %d evaluations, %d matches, %d delivered\n",
			r.TenantID[:8], r.Hour.Format("15:04"), r.Ledgers, r.Evaluations, r.Matches, r.Delivered)
	}
	return nil
}

func Example() {
	now := time.Date(2026, 5, 4, 10, 59, 0, 0, time.UTC)
	m := usage.New(printSink{}, usage.WithClock(func() time.Time { return now }))
	tenant := "0000002a-0000-4000-8000-000000000000"

	start := m.Start()
	// ... the tenant's 5 candidate monitors evaluated against a ledger: 1 match
	m.Evaluated(tenant, start, 5, 1)
	m.Delivery(tenant, usage.Delivered)

	now = now.Add(2 * time.Minute) // the next hour gets a row of its own
	m.Evaluated(tenant, m.Start(), 5, 0)

	if err := m.Flush(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0000002a 10:00: 1 ledgers, 5 evaluations, 1 matches, 1 delivered
	// 0000002a 11:00: 1 ledgers, 5 evaluations, 0 matches, 0 delivered
}
