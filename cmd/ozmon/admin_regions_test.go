package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/postgres"
)

// TestAdminRegions: a tenant's home region is set and cleared with
// 'tenants set --home-region'; 'regions list' shows who serves whom and
// 'regions handback' asks for a taken-over region's tenants back, refusing
// a region that serves itself.
func TestAdminRegions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _ := testkit.PostgresSchema(t)
	regions := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runAdminRegions(ctx, append(args, "--database-url", url), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	mustAccounts(t, url, "", "tenants", "create", "--slug", "acme")
	mustAccounts(t, url, "", "tenants", "set", "--tenant", "acme", "--home-region", "west")
	wantAccountsError(t, url, "tenants", "home region", "set", "--tenant", "acme", "--home-region", "West@1")
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ten, err := st.TenantBySlug(ctx, "acme"); err != nil || ten.HomeRegion != "west" {
		t.Fatalf("after --home-region west: %+v %v", ten, err)
	}
	for _, r := range []string{"east", "west"} {
		if err := st.Heartbeat(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := regions("handback", "--region", "west"); err == nil || !strings.Contains(err.Error(), "serves its own tenants") {
		t.Fatalf("handback of a region serving itself: %v\n%s", err, out)
	}
	// west went silent and east took it over; west is back.
	if _, err := st.Pool().Exec(ctx, `UPDATE ozmon_regions SET last_seen = NOW() - interval '1 hour' WHERE name = 'west'`); err != nil {
		t.Fatal(err)
	}
	if won, err := st.TakeOver(ctx, "west", "west", "east", 30*time.Second); err != nil || !won {
		t.Fatalf("take over: %v %v", won, err)
	}
	if err := st.Heartbeat(ctx, "west"); err != nil {
		t.Fatal(err)
	}
	out, err := regions("list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "REGION") {
		t.Fatalf("regions list:\n%s", out)
	}
	if f := strings.Fields(lines[2]); f[0] != "west" || f[2] != "true" || f[3] != "east" || f[4] != "false" {
		t.Fatalf("west's row: %q", lines[2])
	}
	if out, err := regions("handback", "--region", "west"); err != nil || !strings.Contains(out, "handback of region west asked") {
		t.Fatalf("handback: %v\n%s", err, out)
	}
	out, _ = regions("list")
	if f := strings.Fields(strings.Split(out, "\n")[2]); len(f) < 5 || f[3] != "east" || f[4] != "true" {
		t.Fatalf("after the handback request:\n%s", out)
	}
	mustAccounts(t, url, "", "tenants", "set", "--tenant", "acme", "--home-region", "")
	if ten, err := st.TenantBySlug(ctx, "acme"); err != nil || ten.HomeRegion != "" {
		t.Fatalf("after --home-region '': %+v %v", ten, err)
	}
}
