package tasks

import "strings"

// A lane is one region's pipeline on one network (docs/multi-region.md):
// its own fetch-block and evaluate-tenants TaskIDs, cursor and durable
// progress, so two regions' schedulers never mistake each other's work for
// their own. Without regions the lane is the network itself. Deliver
// TaskIDs, and so notification ids, carry the network alone: a
// notification has one id whichever region sends it.

// Lane names region's lane of network ("stellar_mainnet@eu"), or network
// when region is empty.
func Lane(network, region string) string {
	if region == "" {
		return network
	}
	return network + "@" + region
}

// SplitLane is Lane's inverse.
func SplitLane(lane string) (network, region string) {
	network, region, _ = strings.Cut(lane, "@")
	return network, region
}

// ValidRegion reports whether name can name a region: 1 to 63 of a-z,
// 0-9, '-' and '_', starting with a letter or digit (no '@' or ':', which
// lane names and TaskIDs use as separators).
func ValidRegion(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}
