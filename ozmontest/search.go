package ozmontest

import (
	"cmp"
	"sort"
)

// lastAtOrBelow is the index of the last of xs, sorted by number, whose
// number is n or less; -1 when the first is already past n. Every
// simulator finds its tip (ledger, block, slot) this way.
func lastAtOrBelow[T any, N cmp.Ordered](xs []T, number func(T) N, n N) int {
	return sort.Search(len(xs), func(i int) bool { return number(xs[i]) > n }) - 1
}
