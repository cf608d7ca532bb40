package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// ageRegion moves a region's last heartbeat into the past: the time a
// takeover waits for, without waiting.
func ageRegion(t *testing.T, s *Store, region string, by time.Duration) {
	t.Helper()
	if _, err := s.pool.Exec(context.Background(), `UPDATE ozmon_regions SET last_seen = last_seen - $2 * interval '1 second'
		WHERE name = $1`, region, by.Seconds()); err != nil {
		t.Fatal(err)
	}
}

func regionRow(t *testing.T, s *Store, name string) store.Region {
	t.Helper()
	rs, err := s.Regions(context.Background(), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range rs {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no region %s in %+v", name, rs)
	return store.Region{}
}

// TestRegionTakeoverAndHandback walks the state machine of
// docs/multi-region.md: heartbeats, a takeover only of a region silent for
// the timeout and only by one of two contenders, a handback asked only
// for a live region, and given only by the region serving it.
func TestRegionTakeoverAndHandback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t)
	const timeout = 30 * time.Second
	for _, r := range []string{"east", "west"} {
		if err := s.Heartbeat(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Heartbeat(ctx, "West@1"); err == nil {
		t.Fatal("a region name with '@' was accepted: lanes could not be told apart")
	}
	if g := regionRow(t, s, "west"); !g.Alive || g.ServedBy != "west" || g.Handback {
		t.Fatalf("fresh region: %+v", g)
	}
	if won, err := s.TakeOver(ctx, "west", "west", "east", timeout); err != nil || won {
		t.Fatalf("took over a live region: %v %v", won, err)
	}
	ageRegion(t, s, "west", 2*timeout)
	if g := regionRow(t, s, "west"); g.Alive {
		t.Fatalf("silent for twice the timeout, still alive: %+v", g)
	}
	if won, err := s.TakeOver(ctx, "west", "west", "east", timeout); err != nil || !won {
		t.Fatalf("take over a silent region: %v %v", won, err)
	}
	if won, err := s.TakeOver(ctx, "west", "west", "north", timeout); err != nil || won {
		t.Fatalf("a second contender also won: %v %v", won, err)
	}
	if g := regionRow(t, s, "west"); g.ServedBy != "east" {
		t.Fatalf("after the takeover: %+v", g)
	}
	// Sticky: west beating again does not get its tenants back.
	if err := s.Heartbeat(ctx, "west"); err != nil {
		t.Fatal(err)
	}
	if g := regionRow(t, s, "west"); !g.Alive || g.ServedBy != "east" {
		t.Fatalf("west back: %+v", g)
	}
	if won, err := s.HandBack(ctx, "west", "east"); err != nil || won {
		t.Fatalf("handed back without being asked: %v %v", won, err)
	}
	if err := s.RequestHandback(ctx, "east", timeout); err == nil {
		t.Fatal("handback of a region serving itself was accepted")
	}
	if err := s.RequestHandback(ctx, "south", timeout); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("handback of an unknown region: %v", err)
	}
	ageRegion(t, s, "west", 2*timeout)
	if err := s.RequestHandback(ctx, "west", timeout); err == nil {
		t.Fatal("handback to a silent region was accepted")
	}
	if err := s.Heartbeat(ctx, "west"); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestHandback(ctx, "west", timeout); err != nil {
		t.Fatal(err)
	}
	if won, err := s.HandBack(ctx, "west", "north"); err != nil || won {
		t.Fatalf("a region not serving west handed it back: %v %v", won, err)
	}
	if won, err := s.HandBack(ctx, "west", "east"); err != nil || !won {
		t.Fatalf("hand back: %v %v", won, err)
	}
	if g := regionRow(t, s, "west"); g.ServedBy != "west" || g.Handback {
		t.Fatalf("after the handback: %+v", g)
	}
}

// TestTenantHomeRegion: a tenant's home region is set, read back with the
// tenant, moves its version (workers reload it), and can be cleared.
func TestTenantHomeRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t)
	ten, err := s.CreateTenant(ctx, NewTenant{Slug: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Tenant(ctx, ten.ID)
	if err != nil || before.HomeRegion != "" {
		t.Fatalf("new tenant: %+v %v", before, err)
	}
	west, bad, none := "west", "West", ""
	if _, err := s.UpdateTenant(ctx, ten.ID, TenantChange{HomeRegion: &bad}); err == nil {
		t.Fatal("home region \"West\" accepted")
	}
	after, err := s.UpdateTenant(ctx, ten.ID, TenantChange{HomeRegion: &west})
	if err != nil || after.HomeRegion != "west" || after.Version == before.Version {
		t.Fatalf("moved to west: %+v %v (version before %s)", after, err, before.Version)
	}
	if after, err = s.UpdateTenant(ctx, ten.ID, TenantChange{HomeRegion: &none}); err != nil || after.HomeRegion != "" {
		t.Fatalf("back to the default region: %+v %v", after, err)
	}
}
