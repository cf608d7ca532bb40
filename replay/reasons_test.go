package replay

import (
	"errors"
	"testing"
)

// TestCountsAndExplain: outcomes are counted as re-queued, skipped by
// reason and failed; every reason has its own explanation, and an unknown
// one is echoed.
func TestCountsAndExplain(t *testing.T) {
	r := Result{Outcomes: []Outcome{{}, {Reason: "delivered"}, {Reason: "delivered"}, {Reason: "running"}, {Err: errors.New("x")}, {}}}
	requeued, skipped, failed := r.Counts()
	if requeued != 2 || failed != 1 || skipped["delivered"] != 2 || skipped["running"] != 1 || len(skipped) != 2 {
		t.Fatalf("counts = %d %v %d", requeued, skipped, failed)
	}
	seen := map[string]bool{}
	for _, reason := range Reasons() {
		ex := Explain(reason.Name)
		if ex == reason.Name || ex == "" || seen[ex] {
			t.Errorf("reason %q explained as %q", reason.Name, ex)
		}
		seen[ex] = true
	}
	if Explain("odd") != "odd" {
		t.Errorf("unknown reason explained as %q", Explain("odd"))
	}
}
