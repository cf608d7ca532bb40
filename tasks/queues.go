package tasks

import "strings"

// Queue names. Tiered queues are weighted, not strictly ordered, so that a
// backlog of critical work slows low tiers down but never starves them.
const (
	QueueBlocks = "blocks"
)

// EvalQueue is the evaluate-tenants queue of a tier: "eval-<tier>".
func EvalQueue(t Tier) string { return "eval-" + string(t) }

// NotifyQueue is the deliver queue of a tier: "notify-<tier>".
func NotifyQueue(t Tier) string { return "notify-" + string(t) }

// IsNotifyQueue reports whether a queue holds deliver tasks.
func IsNotifyQueue(name string) bool { return strings.HasPrefix(name, "notify-") }

// tierWeight is the default weight of a tier's queues.
func tierWeight(t Tier) int {
	switch t {
	case TierCritical:
		return 8
	case TierHigh:
		return 4
	case TierDefault:
		return 2
	}
	return 1
}

// DefaultQueues returns every queue with its default weight, in the form
// asynq.Config.Queues takes. Fetching blocks outranks everything (one task
// per ledger unblocks all evaluation); notifications outrank evaluation of
// the same tier (a found match is worth more than a new search).
func DefaultQueues() map[string]int {
	q := map[string]int{QueueBlocks: 20}
	for _, t := range tiers {
		q[EvalQueue(t)] = tierWeight(t) * 2
		q[NotifyQueue(t)] = tierWeight(t)*2 + 1
	}
	return q
}

// AllQueues lists every queue name in a stable order (blocks, eval by tier,
// notify by tier).
func AllQueues() []string {
	out := []string{QueueBlocks}
	for _, t := range tiers {
		out = append(out, EvalQueue(t))
	}
	for _, t := range tiers {
		out = append(out, NotifyQueue(t))
	}
	return out
}
