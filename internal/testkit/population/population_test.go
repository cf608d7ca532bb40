package population_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/internal/testkit/population"
	"github.com/ozmon/ozmon/store/postgres"
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

// TestCopyInto: the copied rows load through the real store as the
// generated tenants, without problems.
func TestCopyInto(t *testing.T) {
	t.Parallel()
	blocks, err := population.LoadMainnet(testkit.SharedPath(t, "testdata", "stellar", "mainnet"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := population.Generate(blocks, 40, 3, population.DefaultMix())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	url, schema := testkit.PostgresSchema(t)
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ids, err := population.CopyInto(ctx, conn, p)
	if err != nil {
		t.Fatal(err)
	}
	tcs, err := st.TenantConfigs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(tcs) != len(p.Tenants) {
		t.Fatalf("loaded %d tenants, want %d", len(tcs), len(p.Tenants))
	}
	for _, tc := range tcs {
		if len(tc.Problems) > 0 || len(tc.Config.Monitors) != population.MonitorsPerTenant || len(tc.Config.Triggers) != 2 {
			t.Fatalf("tenant %s: %d monitors, %d triggers, problems %v", tc.Tenant.Slug, len(tc.Config.Monitors), len(tc.Config.Triggers), tc.Problems)
		}
	}
}
