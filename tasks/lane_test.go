package tasks

import "testing"

func TestLane(t *testing.T) {
	for _, tc := range []struct{ network, region, lane string }{
		{"stellar_mainnet", "", "stellar_mainnet"},
		{"stellar_mainnet", "eu", "stellar_mainnet@eu"},
	} {
		if got := Lane(tc.network, tc.region); got != tc.lane {
			t.Errorf("Lane(%q, %q) = %q, want %q", tc.network, tc.region, got, tc.lane)
		}
		if n, r := SplitLane(tc.lane); n != tc.network || r != tc.region {
			t.Errorf("SplitLane(%q) = %q, %q", tc.lane, n, r)
		}
	}
	for name, ok := range map[string]bool{"eu": true, "us-east_1": true, "": false, "-eu": false, "EU": false, "eu@x": false, "eu:x": false} {
		if ValidRegion(name) != ok {
			t.Errorf("ValidRegion(%q) = %v", name, !ok)
		}
	}
}

// Two regions' work on one ledger has distinct TaskIDs (neither is
// refused as the other's duplicate); their notifications share one id.
func TestLaneTaskIDs(t *testing.T) {
	const net = "stellar_mainnet"
	if a, b := (FetchBlock{Network: Lane(net, "eu"), Ledger: 7}).TaskID(), (FetchBlock{Network: Lane(net, "us"), Ledger: 7}).TaskID(); a == b {
		t.Fatalf("fetch-block TaskIDs of two lanes collide: %s", a)
	}
	eu := EvaluateTenants{Network: net, Region: "eu", Ledger: 7, Batch: "b0"}
	us := EvaluateTenants{Network: net, Region: "us", Ledger: 7, Batch: "b0"}
	plain := EvaluateTenants{Network: net, Ledger: 7, Batch: "b0"}
	if eu.TaskID() == us.TaskID() || eu.TaskID() == plain.TaskID() {
		t.Fatalf("evaluate-tenants TaskIDs collide: %s %s %s", eu.TaskID(), us.TaskID(), plain.TaskID())
	}
	if plain.TaskID() != "eval:stellar_mainnet:7:b0" {
		t.Fatalf("without regions the TaskID changed: %s", plain.TaskID())
	}
}
