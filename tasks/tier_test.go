package tasks_test

import (
	"testing"

	"github.com/ozmon/ozmon/tasks"
)

func TestTierValid(t *testing.T) {
	t.Parallel()
	for _, tier := range tasks.Tiers() {
		if !tier.Valid() {
			t.Errorf("%s not valid", tier)
		}
		if got, err := tasks.ParseTier(string(tier)); err != nil || got != tier {
			t.Errorf("ParseTier(%s) = %s, %v", tier, got, err)
		}
	}
	for _, bad := range []tasks.Tier{"Critical", "normal", " low"} {
		if bad.Valid() {
			t.Errorf("%q valid", bad)
		}
	}
}
