package tasks_test

import (
	"fmt"

	"github.com/ozmon/ozmon/tasks"
)

// Tiers pick a tenant's queues; an empty setting means the default tier.
func ExampleParseTier() {
	for _, s := range []string{"critical", "", "urgent"} {
		t, err := tasks.ParseTier(s)
		fmt.Printf("%q → %q %v\n", s, t, err)
	}
	// Output:
	// "critical" → "critical" <nil>
	// "" → "default" <nil>
	// "urgent" → "" unknown tier "urgent" (want critical, high, default or low)
}
