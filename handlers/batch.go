package handlers

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/ozmon/ozmon/tasks"
)

// Strategy names how candidate tenants are grouped into evaluate-tenants
// batches (the seed orchestrator's load_balancer.strategy).
type Strategy string

const (
	// ConsistentHashing (default) keeps a tenant in the same batch across
	// ledgers, so a batch's TaskID and its worker-side caches stay warm;
	// jump consistent hashing moves few tenants when the count changes.
	ConsistentHashing Strategy = "consistent_hashing"
	// RoundRobin deals tenants into equal batches in id order.
	RoundRobin Strategy = "round_robin"
	// LeastLoaded balances batches by monitor count (largest first into
	// the lightest batch).
	LeastLoaded Strategy = "least_loaded"
	// ActivityBased puts recently busy tenants into smaller batches, so
	// one heavy tenant does not hold up many quiet ones.
	ActivityBased Strategy = "activity_based"
)

// ParseStrategy accepts a strategy name; empty is ConsistentHashing.
func ParseStrategy(s string) (Strategy, error) {
	switch st := Strategy(s); st {
	case "":
		return ConsistentHashing, nil
	case ConsistentHashing, RoundRobin, LeastLoaded, ActivityBased:
		return st, nil
	}
	return "", fmt.Errorf("unknown load-balancing strategy %q", s)
}

// candidate is one tenant that has work for a ledger.
type candidate struct {
	TenantID string
	Tier     tasks.Tier
	Monitors int     // candidate monitors for this ledger
	Activity float64 // recent matches per minute (activity_based)
}

// batch is one evaluate-tenants task's worth of tenants.
type batch struct {
	Key     string // stable part of the TaskID
	Tier    tasks.Tier
	Tenants []string
}

// busyActivity is the matches-per-minute above which activity_based
// treats a tenant as busy.
const busyActivity = 10

// makeBatches groups candidates per tier and strategy, at most limit tenants a
// batch. tierTotal gives the number of active tenants of a tier: consistent
// hashing sizes its buckets from it (not from this ledger's candidates) so
// that a tenant's batch key does not change from one ledger to the next.
func makeBatches(st Strategy, cands []candidate, limit int, tierTotal func(tasks.Tier) int) []batch {
	if limit <= 0 {
		limit = 1
	}
	byTier := make(map[tasks.Tier][]candidate, 4)
	if len(cands) > 0 && sameTier(cands) {
		// The common case: every candidate in one tier, no copy per tier.
		byTier[cands[0].Tier] = slices.Clone(cands)
	} else {
		for _, c := range cands {
			byTier[c.Tier] = append(byTier[c.Tier], c)
		}
	}
	var out []batch
	for _, tier := range tasks.Tiers() {
		cs := byTier[tier]
		if len(cs) == 0 {
			continue
		}
		slices.SortFunc(cs, func(a, b candidate) int { return cmpString(a.TenantID, b.TenantID) })
		switch st {
		case RoundRobin:
			out = append(out, roundRobin(tier, cs, limit)...)
		case LeastLoaded:
			out = append(out, leastLoaded(tier, cs, limit)...)
		case ActivityBased:
			var busy, quiet []candidate
			for _, c := range cs {
				if c.Activity >= busyActivity {
					busy = append(busy, c)
				} else {
					quiet = append(quiet, c)
				}
			}
			small := limit / 4
			if small < 1 {
				small = 1
			}
			for _, b := range hashed(tier, busy, small, len(busy)) {
				b.Key = "busy-" + b.Key
				out = append(out, b)
			}
			out = append(out, hashed(tier, quiet, limit, tierTotal(tier))...)
		default:
			out = append(out, hashed(tier, cs, limit, tierTotal(tier))...)
		}
	}
	return out
}

func sameTier(cs []candidate) bool {
	for _, c := range cs[1:] {
		if c.Tier != cs[0].Tier {
			return false
		}
	}
	return true
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func buckets(n, limit int) int { return (n + limit - 1) / limit }

func hashed(tier tasks.Tier, cs []candidate, limit, total int) []batch {
	if len(cs) == 0 {
		return nil
	}
	nb := buckets(max(total, len(cs)), limit)
	// Indexed by bucket, walked in bucket order: no map, no key sort (fan-out
	// runs this for every tenant of every ledger).
	groups := make([][]string, nb)
	for _, c := range cs {
		b := jumpHash(tenantHash(c.TenantID), nb)
		groups[b] = append(groups[b], c.TenantID)
	}
	var out []batch
	for k, ids := range groups {
		// Hashing is not perfectly even: an over-full bucket is split, the
		// part index keeping keys deterministic for the same tenant set.
		for part := 0; len(ids) > 0; part++ {
			n := min(limit, len(ids))
			key := string(tier) + "-h" + strconv.Itoa(k)
			if part > 0 {
				key += "." + strconv.Itoa(part)
			}
			out = append(out, batch{Key: key, Tier: tier, Tenants: ids[:n:n]})
			ids = ids[n:]
		}
	}
	return out
}

func roundRobin(tier tasks.Tier, cs []candidate, limit int) []batch {
	nb := buckets(len(cs), limit)
	out := make([]batch, nb)
	for i := range out {
		out[i] = batch{Key: string(tier) + "-rr" + strconv.Itoa(i), Tier: tier}
	}
	for i, c := range cs {
		out[i%nb].Tenants = append(out[i%nb].Tenants, c.TenantID)
	}
	return out
}

func leastLoaded(tier tasks.Tier, cs []candidate, limit int) []batch {
	nb := buckets(len(cs), limit)
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b candidate) int { return b.Monitors - a.Monitors })
	out := make([]batch, nb)
	load := make([]int, nb)
	for i := range out {
		out[i] = batch{Key: string(tier) + "-ll" + strconv.Itoa(i), Tier: tier}
	}
	for _, c := range sorted {
		best := -1
		for i := range out {
			if len(out[i].Tenants) >= limit {
				continue
			}
			if best < 0 || load[i] < load[best] {
				best = i
			}
		}
		out[best].Tenants = append(out[best].Tenants, c.TenantID)
		load[best] += c.Monitors
	}
	return out
}

// tenantHash is 64-bit FNV-1a of the id (as hash/fnv's New64a computes
// it, which batch keys were first made with), without an allocation.
func tenantHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// jumpHash is Lamping and Veach's jump consistent hash: key → bucket in
// [0, n), moving only 1/n of the keys when n grows by one.
func jumpHash(key uint64, n int) int {
	var b, j int64 = -1, 0
	for j < int64(n) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}
