package chaos

import (
	"strings"
	"testing"
	"time"
)

// TestVerdictRules checks the judge on hand-made arrivals: duplicates are
// counted, allowed only where the rules say and then only with one
// well-formed key; one key may not name two notifications; unknown
// notifications are unexpected.
func TestVerdictRules(t *testing.T) {
	t.Parallel()
	a := Key{Tenant: "t1", Monitor: "m", Ledger: 10, TxHash: "aa", Trigger: Trigger}
	b := Key{Tenant: "t2", Monitor: "m", Ledger: 11, TxHash: "bb", Trigger: Trigger}
	w := &Workload{Expected: []Key{a, b}, expected: map[Key]bool{a: true, b: true}, txLedger: map[string]uint64{"aa": 10, "bb": 11, "cc": 12}}
	const k1, k2 = "ntf_0123456789abcdef0123456789abcdef", "ntf_fedcba9876543210fedcba9876543210"
	arrive := func(k Key, key string, status int) Arrival {
		return Arrival{Tenant: k.Tenant, Trigger: k.Trigger, Monitor: k.Monitor, TxHash: k.TxHash, Key: key, Status: status, At: time.Now()}
	}
	for _, tc := range []struct {
		name     string
		arrivals []Arrival
		rules    Rules
		dups     int
		problem  string // substring of the one expected problem; "" for none
		unexp    int
	}{
		{"once each", []Arrival{arrive(a, k1, 200), arrive(b, k2, 200)}, Rules{}, 0, "", 0},
		{"a refusal is not a copy", []Arrival{arrive(a, k1, 503), arrive(a, k1, 200), arrive(b, k2, 200)}, Rules{}, 0, "", 0},
		{"duplicate not allowed", []Arrival{arrive(a, k1, 200), arrive(a, k1, 200), arrive(b, k2, 200)}, Rules{}, 1, "allows no duplicate", 0},
		{"duplicate allowed, same key", []Arrival{arrive(a, k1, 200), arrive(a, k1, 200), arrive(b, k2, 200)}, Rules{MayDuplicate: everyone}, 1, "", 0},
		{"duplicate allowed, no key", []Arrival{arrive(a, "", 200), arrive(a, "", 200), arrive(b, "", 200)}, Rules{MayDuplicate: everyone}, 1, "want one ntf_", 0},
		{"duplicate allowed, two keys", []Arrival{arrive(a, k1, 200), arrive(a, k2, 200), arrive(b, "", 200)}, Rules{MayDuplicate: everyone}, 1, "want one ntf_", 0},
		{"one key, two notifications", []Arrival{arrive(a, k1, 200), arrive(b, k1, 200)}, Rules{}, 0, "names two notifications", 0},
		{"keys required", []Arrival{arrive(a, k1, 200), arrive(b, "", 200)}, Rules{RequireKeys: true}, 0, "carry no well-formed", 0},
		{"unexpected", []Arrival{arrive(a, k1, 200), arrive(b, k2, 200), {Tenant: "t1", Trigger: Trigger, Monitor: "m", TxHash: "cc", Status: 200}}, Rules{}, 0, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cluster{T: t, W: w, Rec: NewRecorder(), confirmed: map[uint64]time.Time{}, started: time.Now()}
			for _, ar := range tc.arrivals {
				c.Rec.add(ar)
			}
			v := c.measure(tc.rules)
			if v.Delivered != 2 || len(v.Missing) != 0 {
				t.Fatalf("delivered %d, missing %v", v.Delivered, v.Missing)
			}
			if v.Duplicates != tc.dups {
				t.Errorf("duplicates %d, want %d", v.Duplicates, tc.dups)
			}
			if len(v.Unexpected) != tc.unexp {
				t.Errorf("unexpected %d, want %d", len(v.Unexpected), tc.unexp)
			}
			switch {
			case tc.problem == "" && len(v.Problems) > 0:
				t.Errorf("problems %q, want none", v.Problems)
			case tc.problem != "" && (len(v.Problems) != 1 || !strings.Contains(v.Problems[0], tc.problem)):
				t.Errorf("problems %q, want one saying %q", v.Problems, tc.problem)
			}
		})
	}
}
