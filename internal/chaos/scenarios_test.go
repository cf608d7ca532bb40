package chaos

import (
	"testing"
	"time"
)

// scenarios are declared longest first (see slots).
func scenarios() []scenario {
	return []scenario{
		{"baseline", baseline},
	}
}

// baseline: no fault. Every notification arrives exactly once; its
// latency is what the five-hanging-tenants scenario is compared with.
func baseline(t *testing.T, s *suite) {
	v := s.baseline(t)
	if v == nil {
		t.Fatal("the baseline run failed (see the test that ran it)")
	}
}

// baseline runs the no-fault scenario once per test binary, in the first
// test that asks for it, and returns its verdict (nil if it failed).
func (s *suite) baseline(t *testing.T) *Verdict {
	s.baselineOnce.Do(func() {
		c := s.cluster(t, Config{})
		c.Scheduler("scheduler")
		c.Worker("worker", nil)
		c.StartLedgers()
		c.AwaitAll(60 * time.Second)
		c.Settle(15 * time.Second)
		v := c.Judge(Rules{})
		if !t.Failed() {
			s.baselineV = v
		}
	})
	return s.baselineV
}
