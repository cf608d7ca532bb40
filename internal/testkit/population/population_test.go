package population_test

import (
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/internal/testkit/population"
)

// The generated tenants parse and validate as an import would, in the
// stated mix, the same for the same seed.
func TestGenerate(t *testing.T) {
	t.Parallel()
	blocks, err := population.LoadMainnet(testkit.SharedPath(t, "testdata", "stellar", "mainnet"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := population.Generate(blocks, 1000, 7, population.DefaultMix())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{population.KindBusy: 700, population.KindRare: 150, population.KindTransactions: 100, population.KindFailures: 50}
	for k, n := range want {
		if got := p.Counts()[k]; got != n {
			t.Errorf("%s tenants: %d, want %d", k, got, n)
		}
	}
	for i := range p.Tenants {
		cfg, err := p.Config(i)
		if err != nil {
			t.Fatalf("tenant %d (%s): %v", i, p.Tenants[i].Kind, err)
		}
		if len(cfg.Monitors) != population.MonitorsPerTenant || len(cfg.Triggers) != 2 {
			t.Fatalf("tenant %d: %d monitors, %d triggers", i, len(cfg.Monitors), len(cfg.Triggers))
		}
	}
	again, err := population.Generate(blocks, 1000, 7, population.DefaultMix())
	if err != nil {
		t.Fatal(err)
	}
	for name, js := range p.Tenants[999].Monitors {
		if string(again.Tenants[999].Monitors[name]) != string(js) {
			t.Fatalf("monitor %q differs between two runs with the same seed", name)
		}
	}
}
