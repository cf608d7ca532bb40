package handlers

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ozmon/ozmon/tasks"
)

func candidates(n int, seed uint64) []candidate {
	r := rand.New(rand.NewPCG(seed, 1))
	tiers := tasks.Tiers()
	out := make([]candidate, n)
	for i := range out {
		out[i] = candidate{TenantID: fmt.Sprintf("tenant-%04d", i), Tier: tiers[r.IntN(len(tiers))], Monitors: 1 + r.IntN(20), Activity: float64(r.IntN(20))}
	}
	return out
}

func checkPartition(t *testing.T, st Strategy, cands []candidate, bs []batch, limit int) {
	t.Helper()
	tierOf := map[string]tasks.Tier{}
	for _, c := range cands {
		tierOf[c.TenantID] = c.Tier
	}
	seen := map[string]int{}
	keys := map[string]bool{}
	for _, b := range bs {
		if len(b.Tenants) == 0 || len(b.Tenants) > limit {
			t.Fatalf("%s: batch %s has %d tenants (limit %d)", st, b.Key, len(b.Tenants), limit)
		}
		if keys[b.Key] {
			t.Fatalf("%s: duplicate batch key %s", st, b.Key)
		}
		keys[b.Key] = true
		for _, id := range b.Tenants {
			seen[id]++
			if tierOf[id] != b.Tier {
				t.Fatalf("%s: tenant %s (tier %s) in a %s batch", st, id, tierOf[id], b.Tier)
			}
		}
	}
	if len(seen) != len(cands) {
		t.Fatalf("%s: %d of %d tenants batched", st, len(seen), len(cands))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s: tenant %s in %d batches", st, id, n)
		}
	}
}

func TestEveryStrategyPartitionsCandidates(t *testing.T) {
	t.Parallel()
	cands := candidates(1000, 7)
	total := func(tasks.Tier) int { return 1000 }
	for _, st := range []Strategy{ConsistentHashing, RoundRobin, LeastLoaded, ActivityBased} {
		for _, limit := range []int{1, 7, 50, 2000} {
			checkPartition(t, st, cands, makeBatches(st, cands, limit, total), limit)
		}
	}
}

func TestConsistentHashingKeepsTenantInItsBatch(t *testing.T) {
	t.Parallel()
	all := candidates(500, 3)
	total := func(tasks.Tier) int { return 500 }
	keyOf := func(bs []batch) map[string]string {
		m := map[string]string{}
		for _, b := range bs {
			for _, id := range b.Tenants {
				m[id] = b.Key
			}
		}
		return m
	}
	// Ledger 1 touches every tenant, ledger 2 only every third one.
	first := keyOf(makeBatches(ConsistentHashing, all, 50, total))
	var some []candidate
	for i, c := range all {
		if i%3 == 0 {
			some = append(some, c)
		}
	}
	second := keyOf(makeBatches(ConsistentHashing, some, 50, total))
	for id, k := range second {
		if first[id] != k {
			// A split over-full bucket may renumber its part: compare the bucket.
			if base(first[id]) != base(k) {
				t.Fatalf("tenant %s moved from batch %s to %s between ledgers", id, first[id], k)
			}
		}
	}
}

func base(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			return key[:i]
		}
	}
	return key
}

func TestLeastLoadedBalancesMonitors(t *testing.T) {
	t.Parallel()
	cands := candidates(400, 11)
	for i := range cands {
		cands[i].Tier = tasks.TierDefault
	}
	bs := makeBatches(LeastLoaded, cands, 40, func(tasks.Tier) int { return 400 })
	mon := map[string]int{}
	for _, c := range cands {
		mon[c.TenantID] = c.Monitors
	}
	lo, hi := 1<<30, 0
	for _, b := range bs {
		s := 0
		for _, id := range b.Tenants {
			s += mon[id]
		}
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi-lo > 20 { // at most one tenant's worth of monitors apart
		t.Fatalf("monitor load per batch ranges %d..%d", lo, hi)
	}
}

func TestActivityBasedIsolatesBusyTenants(t *testing.T) {
	t.Parallel()
	cands := candidates(300, 5)
	bs := makeBatches(ActivityBased, cands, 40, func(tasks.Tier) int { return 300 })
	busy := map[string]bool{}
	for _, c := range cands {
		busy[c.TenantID] = c.Activity >= busyActivity
	}
	for _, b := range bs {
		for _, id := range b.Tenants {
			if busy[id] && len(b.Tenants) > 10 {
				t.Fatalf("busy tenant %s in a batch of %d (want ≤ 10)", id, len(b.Tenants))
			}
		}
	}
}

func TestJumpHashIsStableAndInRange(t *testing.T) {
	t.Parallel()
	moved := 0
	for i := 0; i < 10000; i++ {
		k := tenantHash(fmt.Sprint(i))
		a, b := jumpHash(k, 10), jumpHash(k, 11)
		if a < 0 || a >= 10 || b < 0 || b >= 11 {
			t.Fatalf("out of range: %d %d", a, b)
		}
		if a != b {
			moved++
		}
	}
	if moved > 1500 { // ~1/11 expected
		t.Fatalf("%d of 10000 keys moved when growing 10→11 buckets", moved)
	}
}

func BenchmarkBatches(b *testing.B) {
	cands := candidates(10000, 1)
	total := func(tasks.Tier) int { return 10000 }
	for _, st := range []Strategy{ConsistentHashing, RoundRobin, LeastLoaded, ActivityBased} {
		b.Run(string(st), func(b *testing.B) {
			for b.Loop() {
				makeBatches(st, cands, 50, total)
			}
		})
	}
}

// Group a ledger's candidate tenants into evaluate-tenants batches: one
// tier per batch, at most 2 tenants each, a tenant's batch stable across
// ledgers (consistent hashing). (Formerly the package's runnable example.)
func TestBatchesExample(t *testing.T) {
	t.Parallel()
	cands := []candidate{
		{TenantID: "acme", Tier: tasks.TierCritical, Monitors: 3},
		{TenantID: "globex", Tier: tasks.TierDefault, Monitors: 1},
		{TenantID: "initech", Tier: tasks.TierDefault, Monitors: 5},
		{TenantID: "umbrella", Tier: tasks.TierDefault, Monitors: 2},
	}
	total := func(t tasks.Tier) int { return map[tasks.Tier]int{tasks.TierCritical: 1, tasks.TierDefault: 3}[t] }
	var got []string
	for _, b := range makeBatches(ConsistentHashing, cands, 2, total) {
		got = append(got, fmt.Sprint(b.Tier, " ", len(b.Tenants)))
	}
	if want := []string{"critical 1", "default 2", "default 1"}; !slices.Equal(got, want) {
		t.Fatalf("batches = %q, want %q", got, want)
	}
}

// tenantHash is hash/fnv's 64-bit FNV-1a, with which batch keys were first
// made: a worker of this version puts every tenant in the batch an older
// one did, so a batch TaskID of a ledger in flight during an upgrade stays
// the same.
func TestTenantHashIsFNV1a(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "a", "8f14e45f-ceea-467f-a0e6-8e8a1d2e1b6c", "tenant-0001", "ünïcode"} {
		h := fnv.New64a()
		h.Write([]byte(id))
		if got, want := tenantHash(id), h.Sum64(); got != want {
			t.Fatalf("tenantHash(%q) = %x, want %x", id, got, want)
		}
	}
}

// BenchmarkMakeBatches is fan-out's batching of one ledger's 5,000
// candidate tenants of one tier (consistent hashing, 200 a batch).
func BenchmarkMakeBatches(b *testing.B) {
	cands := candidates(5000, 3)
	for i := range cands {
		cands[i].Tier = tasks.TierDefault
	}
	total := func(tasks.Tier) int { return 5000 }
	for b.Loop() {
		if len(makeBatches(ConsistentHashing, cands, 200, total)) == 0 {
			b.Fatal("no batches")
		}
	}
}
