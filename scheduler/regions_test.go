package scheduler_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// TestRegionsTakeOverStickyHandback drives two regions' supervisors over
// one PostgreSQL: east takes west's tenants over when west is silent for
// east's timeout (a microsecond here, so no test waits), west coming back
// does not get them back by itself, and an operator's handback waits for
// west's unfinished ledger before west schedules its own lane again.
func TestRegionsTakeOverStickyHandback(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	life, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	log := slog.New(slog.DiscardHandler)
	lanes := func(self string) func(string, bool) (*scheduler.Scheduler, error) {
		return func(region string, adopted bool) (*scheduler.Scheduler, error) {
			if adopted != (region != self) {
				t.Errorf("%s: lanes of %s built with adopted %v", self, region, adopted)
			}
			s := scheduler.New(e.client, st, scheduler.WithProgress(st, e.rdb), scheduler.WithLogger(log))
			n := e.network(0, 0)
			n.Slug = tasks.Lane(n.Slug, region)
			return s, s.AddNetwork(n)
		}
	}
	// east's timeout is a microsecond: any region but itself reads as
	// silent. west's is an hour: east always reads as alive.
	east := &scheduler.Regions{Store: st, Name: "east", DefaultRegion: "east", Timeout: time.Microsecond, Lane: lanes("east"), Log: log}
	west := &scheduler.Regions{Store: st, Name: "west", DefaultRegion: "east", Timeout: time.Hour, Lane: lanes("west"), Log: log}
	step := func(r *scheduler.Regions, want ...string) {
		t.Helper()
		if err := r.Step(ctx, life); err != nil {
			t.Fatalf("%s: step: %v", r.Name, err)
		}
		if got := r.Serving(); !slices.Equal(got, want) {
			t.Fatalf("%s serves %v, want %v", r.Name, got, want)
		}
	}
	step(west, "west")
	step(east, "east", "west") // west silent for longer than east's timeout: taken over
	step(west)                 // back, but east serves west's tenants now: sticky
	step(west)

	// A ledger of west's lane left unfinished: the handback waits for it.
	westLane := tasks.Lane("stellar_testnet", "west")
	must(t, st.MarkScheduled(ctx, westLane, 10, 10))
	must(t, st.AdvanceCursor(ctx, westLane, 10))
	if err := st.RequestHandback(ctx, "west", time.Hour); err != nil {
		t.Fatal(err)
	}
	step(east, "east") // west's lane stops scheduling and drains
	step(west)
	if rs, err := st.Regions(ctx, time.Hour); err != nil || rs[1].ServedBy != "east" || !rs[1].Handback {
		t.Fatalf("handed back with a ledger unfinished: %+v %v", rs, err)
	}
	must(t, st.MarkFannedOut(ctx, westLane, 10, nil, false)) // the ledger completes
	step(east, "east")                                       // drained: handed back
	step(west, "west")
	east.Timeout = time.Hour // west is beating again
	step(east, "east")
}

// TestRegionsNoTakeoverRightAfterBeatingResumes: after a PostgreSQL
// outage every region's last heartbeat is old. A region whose own
// heartbeats have just started takes nobody over until it has beaten for
// a whole timeout: the others get the time to beat again.
func TestRegionsNoTakeoverRightAfterBeatingResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	life, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	log := slog.New(slog.DiscardHandler)
	lane := func(region string, _ bool) (*scheduler.Scheduler, error) {
		return scheduler.New(e.client, st, scheduler.WithProgress(st, e.rdb), scheduler.WithLogger(log)), nil
	}
	must(t, st.Heartbeat(ctx, "east"))
	// east's heartbeat is two hours old, as after a long outage.
	if _, err := st.Pool().Exec(ctx, `UPDATE ozmon_regions SET last_seen = NOW() - interval '2 hours' WHERE name = 'east'`); err != nil {
		t.Fatal(err)
	}
	west := &scheduler.Regions{Store: st, Name: "west", DefaultRegion: "east", Timeout: time.Hour, Lane: lane, Log: log}
	if err := west.Step(ctx, life); err != nil {
		t.Fatal(err)
	}
	if got := west.Serving(); !slices.Equal(got, []string{"west"}) {
		t.Fatalf("west, beating for moments, serves %v: it took a region over before beating for a timeout", got)
	}
	rs, err := st.Regions(ctx, time.Hour)
	if err != nil || rs[0].Name != "east" || rs[0].Alive || rs[0].ServedBy != "east" {
		t.Fatalf("regions: %+v %v (east must read as silent, and still serve itself)", rs, err)
	}
}
