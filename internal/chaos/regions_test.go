package chaos

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Region names and timings of the two-region scenario: a heartbeat every
// second and a takeover after six without one.
const (
	eastRegion       = "east"
	westRegion       = "west"
	regionTimeout    = 6 * time.Second
	regionHeartbeats = time.Second
)

// twoRegions: two regions share one PostgreSQL, each with its own Redis,
// scheduler and worker; half the tenants are homed in each (east is the
// default home, west's tenants are moved there with `ozmon admin tenants
// set --home-region`). Mid-delivery the whole west region is killed —
// scheduler, worker and its Redis, with requests held by the receiver.
// East stops seeing west's heartbeat, takes its tenants over and drives
// west's lane from PostgreSQL: the ledgers west had not finished, the
// notifications west recorded but never sent, and the ledgers west never
// scheduled. Every expected notification arrives; east's tenants' exactly
// once, west's at most twice and then with one Idempotency-Key (a request
// west sent and could not record). The failover time is the kill to the
// first of west's tenants' notifications delivered by east.
func twoRegions(t *testing.T, s *suite) {
	c := s.cluster(t, Config{Env: map[string]string{
		"OZ_MONITOR_REGIONS_DEFAULT_HOME":       eastRegion,
		"OZ_MONITOR_REGIONS_HEARTBEAT_TIMEOUT":  regionTimeout.String(),
		"OZ_MONITOR_REGIONS_HEARTBEAT_INTERVAL": regionHeartbeats.String(),
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	west := map[string]bool{}
	for i, tn := range c.W.Tenants {
		if i%2 == 1 {
			west[tn.Slug] = true
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for slug := range west {
		g.Go(func() error {
			out, err := c.Ozmon(gctx, "admin", "tenants", "set", "--tenant", slug, "--home-region", westRegion)
			if err != nil {
				return fmt.Errorf("admin tenants set %s --home-region %s: %w\n%s", slug, westRegion, err, out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{eastRegion, westRegion} {
		if err := c.Store.AdvanceCursor(ctx, tasks.Lane(Network, r), FirstLedger-1); err != nil {
			t.Fatalf("set the cursor of %s's lane: %v", r, err)
		}
	}
	westRedis := StartRedis(t, NoPersistence)
	eastEnv := map[string]string{"OZ_MONITOR_REGION": eastRegion}
	westEnv := map[string]string{"OZ_MONITOR_REGION": westRegion, "OZ_MONITOR_REDIS_URL": westRedis.URL()}

	c.Main.SetMode(Mode{Delay: slowAnswer})
	c.start("scheduler-east", "scheduler", eastEnv)
	eastWorker := c.Worker("worker-east", eastEnv)
	westProcs := []*Process{c.start("scheduler-west", "scheduler", westEnv), c.Worker("worker-west", maps.Clone(westEnv))}
	c.StartLedgers()
	afterAQuarter(c)
	c.WaitUntil("a notification of a west tenant", 30*time.Second, func() bool {
		return slices.ContainsFunc(c.Rec.Arrivals(), func(a Arrival) bool { return west[a.Tenant] && a.Accepted() })
	})
	westLeft := len(c.W.Expected) - c.Delivered()
	for _, p := range westProcs {
		p.Kill()
	}
	westRedis.Kill()
	killed := time.Now()
	c.FaultStarted()
	c.FaultCleared() // west does not come back: recovery runs from the kill
	delivered := c.Delivered()
	accepted := c.acceptedKeys()
	westDone, westTotal := 0, 0
	for _, k := range c.W.Expected {
		if west[k.Tenant] {
			westTotal++
			if accepted[k] {
				westDone++
			}
		}
	}
	t.Logf("killed region west (scheduler, worker, Redis) at tip %d with %d/%d delivered (%d/%d of west's), %d left",
		c.Sim.Tip(), delivered, len(c.W.Expected), westDone, westTotal, westLeft)
	if westDone == westTotal {
		t.Fatal("every notification of west's tenants had arrived before the kill: the strike came too late to test a takeover")
	}
	c.Main.SetMode(Mode{})
	c.AwaitAll(2 * time.Minute)
	var firstWest time.Time
	for _, a := range c.Rec.Arrivals() {
		if west[a.Tenant] && a.Accepted() && a.At.After(killed) && (firstWest.IsZero() || a.At.Before(firstWest)) {
			firstWest = a.At
		}
	}
	c.Settle(time.Minute)
	c.Judge(Rules{MayDuplicate: func(k Key) bool { return west[k.Tenant] }, RequireKeys: *requireKeys})
	out, err := c.Ozmon(ctx, "admin", "regions", "list")
	if err != nil {
		t.Fatalf("admin regions list: %v\n%s", err, out)
	}
	t.Logf("regions after the takeover:\n%s", out)
	regions, err := c.Store.Regions(ctx, regionTimeout)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range regions {
		if want := eastRegion; g.ServedBy != want {
			t.Errorf("region %s is served by %q after west was killed, want %q", g.Name, g.ServedBy, want)
		}
	}
	if firstWest.IsZero() {
		t.Fatal("no notification of a west tenant arrived after the kill: east never took west over")
	}
	t.Logf("failover: west killed → first west-tenant notification delivered by east %s (heartbeat timeout %s, beats every %s)",
		firstWest.Sub(killed).Round(10*time.Millisecond), regionTimeout, regionHeartbeats)
	// East fetched each ledger once, its own lane's and west's alike:
	// the two lanes share the region's block cache.
	if n, ledgers := rpcCalls(t, eastWorker, "getLedgers"), LastConfirmed-FirstLedger+1; n > ledgers {
		t.Errorf("east's worker made %d successful getLedgers calls for %d ledgers: a lane taken over fetched again", n, ledgers)
	} else {
		t.Logf("east's worker: %d getLedgers calls for %d ledgers, both lanes", n, ledgers)
	}
	handBack(t, c, ctx, westRedis, westProcs)
}

// rpcCalls reads a process's successful RPC calls of one method from its
// /metrics.
func rpcCalls(t *testing.T, p *Process, method string) int {
	t.Helper()
	resp, err := http.Get("http://" + p.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatalf("%s /metrics: %v", p.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for line := range strings.Lines(string(body)) {
		if !strings.HasPrefix(line, "oz_monitor_rpc_calls_total{") || !strings.Contains(line, `method="`+method+`"`) ||
			!strings.Contains(line, `outcome="ok"`) {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("%s /metrics: %q: %v", p.Name, line, err)
		}
		total += v
	}
	return int(total)
}

// handBack: west comes back (its Redis empty, its processes restarted)
// and serves nothing until an operator asks; then east, with nothing of
// west's left open, hands its tenants back and west schedules its lanes
// again — sending nothing: every notification is in already.
func handBack(t *testing.T, c *Cluster, ctx context.Context, westRedis *Redis, westProcs []*Process) {
	requests, _ := c.Rec.Len()
	westRedis.Restart()
	for _, p := range westProcs {
		p.Start()
	}
	westRow := func() store.Region {
		rs, err := c.Store.Regions(ctx, regionTimeout)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range rs {
			if g.Name == westRegion {
				return g
			}
		}
		t.Fatalf("no row of region %s in %+v", westRegion, rs)
		return store.Region{}
	}
	// Two heartbeats of west's: it is alive and still taken over.
	time.Sleep(2 * regionHeartbeats)
	if g := westRow(); !g.Alive || g.ServedBy != eastRegion {
		t.Fatalf("west back: %+v, want alive and still served by east until a handback", g)
	}
	asked := time.Now()
	if out, err := c.Ozmon(ctx, "admin", "regions", "handback", "--region", westRegion); err != nil {
		t.Fatalf("admin regions handback: %v\n%s", err, out)
	}
	c.WaitUntil("east to hand west back", time.Minute, func() bool { return westRow().ServedBy == westRegion })
	t.Logf("handback: asked → west serving its tenants again %s", time.Since(asked).Round(10*time.Millisecond))
	c.Settle(30 * time.Second)
	if n, _ := c.Rec.Len(); n != requests {
		t.Errorf("%d requests arrived after west came back and took its tenants back; every notification was in before", n-requests)
	}
	for _, p := range c.Processes() {
		if crashed, err := p.Crashed(); crashed {
			t.Errorf("%s exited on its own after the handback (%v)", p.Name, err)
		}
	}
}

// acceptedKeys are the expected notifications accepted at least once.
func (c *Cluster) acceptedKeys() map[Key]bool {
	seen := map[Key]bool{}
	for _, a := range c.Rec.Arrivals() {
		if k, ok := c.W.KeyOf(a); ok && a.Accepted() && c.W.Expects(k) {
			seen[k] = true
		}
	}
	return seen
}
