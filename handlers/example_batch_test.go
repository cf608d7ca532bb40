package handlers_test

import (
	"fmt"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/tasks"
)

// Group a ledger's candidate tenants into evaluate-tenants batches: one
// tier per batch, at most 2 tenants each, a tenant's batch stable across
// ledgers (consistent hashing).
func ExampleBatches() {
	cands := []handlers.Candidate{
		{TenantID: "acme", Tier: tasks.TierCritical, Monitors: 3},
		{TenantID: "globex", Tier: tasks.TierDefault, Monitors: 1},
		{TenantID: "initech", Tier: tasks.TierDefault, Monitors: 5},
		{TenantID: "umbrella", Tier: tasks.TierDefault, Monitors: 2},
	}
	total := func(t tasks.Tier) int { return map[tasks.Tier]int{tasks.TierCritical: 1, tasks.TierDefault: 3}[t] }
	for _, b := range handlers.Batches(handlers.ConsistentHashing, cands, 2, total) {
		fmt.Println(b.Tier, len(b.Tenants))
	}
	// Output:
	// critical 1
	// default 2
	// default 1
}
