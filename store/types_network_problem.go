package store

import "time"

// NetworkProblem is something that keeps a network from being processed
// as it should, as the scheduler or a worker last saw it: one per
// network and kind, counted while it lasts and removed once resolved.
type NetworkProblem struct {
	Network string
	// Kind names what went wrong, from a small fixed set (the
	// scheduler's ProblemRPC, ProblemBehind, …), so a network holds few.
	Kind string
	// Message is the latest occurrence's description.
	Message string
	// Count is how many times it was seen between FirstSeen and LastSeen.
	Count     int64
	FirstSeen time.Time
	LastSeen  time.Time
}
