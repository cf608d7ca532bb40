package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"
	"golang.org/x/sync/errgroup"
)

// Topology is the shape of a scenario's Redis.
type Topology int

const (
	// SingleRedis: one redis-server of the suite's own ([Redis]).
	SingleRedis Topology = iota
	// ClusterRedis: a Redis Cluster of three primaries with a replica
	// each ([testkit.RedisCluster]), reached through redis+cluster://.
	ClusterRedis
	// SentinelRedis: a primary, two replicas and three sentinels
	// ([testkit.RedisSentinel]), reached through redis+sentinel://.
	SentinelRedis
)

// Config shapes one scenario's world.
type Config struct {
	// Topology of the scenario's Redis (default one server).
	Topology Topology
	// Persistence of the scenario's Redis (one server only).
	Persistence Persistence
	// Env is OZ_MONITOR_* configuration for every ozmon process, on top
	// of the suite's: JSON logs, the scenario's Redis and database, a 2 s
	// send timeout and 127.0.0.1/32 allowed as a webhook destination.
	Env map[string]string
	// HangingTenants are pointed at a listener of their own,
	// Cluster.Hanging, so their endpoints can misbehave alone.
	HangingTenants []string
	// LogDir keeps the processes' logs and the tenants' config
	// directories (default: a temporary directory removed with the test).
	LogDir string
	// TipInterval is how often the simulated chain closes a ledger
	// (default 300 ms: the 20 ledgers take six seconds).
	TipInterval time.Duration
}

// Cluster is one scenario's world: its own redis-server, database (behind
// a proxy), Stellar simulator, receivers and ozmon processes, torn down
// when the test ends. On failure the tails of every process's log are
// printed.
type Cluster struct {
	T     testing.TB
	W     *Workload
	Redis *Redis // SingleRedis only
	// RCluster and RSentinel are the Redis of ClusterRedis and
	// SentinelRedis scenarios.
	RCluster  *testkit.RedisCluster
	RSentinel *testkit.RedisSentinel
	DB        Database
	PG        *PGProxy
	Sim       *ozmontest.StellarSim
	Rec       *Recorder
	Main      *Receiver // every tenant's endpoint but the hanging ones
	Hanging   *Receiver // the endpoints of Config.HangingTenants
	Store     *postgres.Store

	cfg     Config
	bin     string
	logDir  string
	oz      map[string]string // OZ_MONITOR_* of every process
	env     []string          // childEnv(oz)
	started time.Time
	rdb     redis.UniversalClient // the suite's own client of the scenario's Redis

	mu        sync.Mutex
	procs     []*Process
	confirmed map[uint64]time.Time // ledger → when the tip made it confirmed
	faultFrom time.Time
	faultTo   time.Time
	tenantIDs map[string]string // tenant id → slug
	verdict   *Verdict
	stopClock chan struct{}
	clockDone chan struct{}
}

// NewCluster builds the world, migrates the database with `ozmon
// migrate`, imports every tenant with `ozmon import` (the first one
// registering the network for the operator) and sets the scheduler's
// cursor just before FirstLedger.
func NewCluster(t testing.TB, bin string, w *Workload, cfg Config) *Cluster {
	t.Helper()
	if cfg.TipInterval == 0 {
		cfg.TipInterval = 300 * time.Millisecond
	}
	if cfg.LogDir == "" {
		cfg.LogDir = t.TempDir()
	} else if err := os.MkdirAll(cfg.LogDir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{T: t, W: w, cfg: cfg, bin: bin, logDir: cfg.LogDir, started: time.Now(),
		confirmed: map[uint64]time.Time{}, tenantIDs: map[string]string{}}
	t.Cleanup(c.dumpLogsOnFailure)
	var redisURL string
	switch cfg.Topology {
	case ClusterRedis:
		c.RCluster = testkit.StartRedisCluster(t, 3, 1)
		redisURL = c.RCluster.URL()
		c.rdb = c.RCluster.Client()
	case SentinelRedis:
		c.RSentinel = testkit.StartRedisSentinel(t, 2, 3)
		redisURL = c.RSentinel.URL()
		c.rdb = c.RSentinel.Client()
	default:
		c.Redis = StartRedis(t, cfg.Persistence)
		redisURL = c.Redis.URL()
		rdb := redis.NewClient(&redis.Options{Addr: c.Redis.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		c.rdb = rdb
	}
	if nodes := c.redisNodes(); len(nodes) > 0 {
		// Registered after the nodes' directory: runs before its removal.
		t.Cleanup(func() {
			if t.Failed() {
				for _, n := range nodes {
					t.Logf("--- %s (%s) log tail ---\n%s", n.Name, n.Addr(), tail(n.LogPath(), 8))
				}
			}
		})
	}
	c.DB = CreateDatabase(t)
	c.PG = StartPGProxy(t, c.DB.Upstream())
	c.Sim = ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(w.LedgerDir),
		ozmontest.SimPassphrase(network.PublicNetworkPassphrase), ozmontest.SimInitialTip(FirstLedger))
	c.Rec = NewRecorder()
	c.Main = StartReceiver(t, "main", c.Rec)
	c.Hanging = StartReceiver(t, "hanging", c.Rec)

	env := map[string]string{
		"OZ_MONITOR_DATABASE_URL":        c.DB.Via(c.PG.Addr()),
		"OZ_MONITOR_REDIS_URL":           redisURL,
		"OZ_MONITOR_LOG_FORMAT":          "json",
		"OZ_MONITOR_LOG_LEVEL":           "info",
		"OZ_MONITOR_NOTIFY_ALLOW_HOSTS":  "127.0.0.1/32",
		"OZ_MONITOR_NOTIFY_SEND_TIMEOUT": "2s",
	}
	maps.Copy(env, cfg.Env)
	c.oz, c.env = env, childEnv(env)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := c.Ozmon(ctx, "migrate"); err != nil {
		t.Fatalf("ozmon migrate: %v\n%s", err, out)
	}
	c.importTenants(ctx)
	st, err := postgres.Open(ctx, c.DB.Direct)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	c.Store = st
	tenants, err := st.Tenants(ctx)
	if err != nil {
		t.Fatalf("list tenants: %v", err)
	}
	for _, tn := range tenants {
		c.tenantIDs[tn.ID] = tn.Slug
	}
	if len(c.tenantIDs) != len(w.Tenants) {
		t.Fatalf("%d tenants in the store, want %d", len(c.tenantIDs), len(w.Tenants))
	}
	if err := st.AdvanceCursor(ctx, Network, FirstLedger-1); err != nil {
		t.Fatalf("set cursor: %v", err)
	}
	t.Cleanup(c.StopLedgers)
	return c
}

// childEnv is the environment of ozmon's processes: the suite's
// OZ_MONITOR_* values and nothing of the caller's OZ_MONITOR_* (a
// developer's shell must not point a scenario at a shared Redis).
func childEnv(oz map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OZ_MONITOR_") {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(oz))
	for k := range oz {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+oz[k])
	}
	return env
}

// Ozmon runs a one-shot ozmon command (migrate, import, admin …) with the
// scenario's configuration and returns its combined output.
func (c *Cluster) Ozmon(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// importTenants writes each tenant's OpenZeppelin Monitor directory and
// imports it with `ozmon import`.
func (c *Cluster) importTenants(ctx context.Context) {
	c.T.Helper()
	netJSON := fmt.Sprintf(`{"network_type":"Stellar","slug":%q,"name":"Stellar Mainnet",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":%q},"weight":100}],
 "network_passphrase":%q,"block_time_ms":5000,"confirmation_blocks":1,
 "cron_schedule":"*/1 * * * * *","max_past_blocks":50,"store_blocks":false}`, Network, c.Sim.URL(), network.PublicNetworkPassphrase)
	dirs := make([]string, len(c.W.Tenants))
	for i, tn := range c.W.Tenants {
		recv := c.Main
		if slices.Contains(c.cfg.HangingTenants, tn.Slug) {
			recv = c.Hanging
		}
		dir := filepath.Join(c.logDir, "tenants", tn.Slug)
		files := map[string][]byte{filepath.Join("networks", Network+".json"): []byte(netJSON)}
		for _, m := range tn.Monitors {
			files[filepath.Join("monitors", m.Name+".json")] = m.JSON
		}
		trig, err := json.Marshal(map[string]any{Trigger: map[string]any{
			"name": Trigger, "trigger_type": "webhook",
			"config": map[string]any{
				"url":     map[string]any{"type": "plain", "value": recv.URL(tn.Slug, Trigger)},
				"method":  "POST",
				"headers": map[string]string{"Content-Type": "application/json"},
				"message": map[string]string{"title": "${monitor.name}", "body": "${transaction.hash}"},
			},
		}})
		if err != nil {
			c.T.Fatal(err)
		}
		files[filepath.Join("triggers", Trigger+".json")] = trig
		for name, data := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				c.T.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				c.T.Fatal(err)
			}
		}
		dirs[i] = dir
	}
	// The first import registers the network; the others only add
	// tenants and may run side by side.
	if out, err := c.Ozmon(ctx, "import", "--tenant", c.W.Tenants[0].Slug, "--register-networks", dirs[0]); err != nil {
		c.T.Fatalf("ozmon import %s: %v\n%s", c.W.Tenants[0].Slug, err, out)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := 1; i < len(dirs); i++ {
		g.Go(func() error {
			if out, err := c.Ozmon(gctx, "import", "--tenant", c.W.Tenants[i].Slug, dirs[i]); err != nil {
				return fmt.Errorf("ozmon import %s: %w\n%s", c.W.Tenants[i].Slug, err, out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		c.T.Fatal(err)
	}
}

// Scheduler starts an `ozmon scheduler` and waits until it is ready.
func (c *Cluster) Scheduler(name string) *Process { return c.start(name, "scheduler", nil) }

// Worker starts an `ozmon worker` (extra: more OZ_MONITOR_* for this one)
// and waits until it is ready.
func (c *Cluster) Worker(name string, extra map[string]string) *Process {
	return c.start(name, "worker", extra)
}

func (c *Cluster) start(name, role string, extra map[string]string) *Process {
	c.T.Helper()
	oz := maps.Clone(c.oz)
	maps.Copy(oz, extra)
	p := newProcess(c.T, c.bin, name, role, c.logDir, childEnv(oz))
	p.Start()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p
}

// StartLedgers makes the simulated chain close one ledger every
// TipInterval until LastLedger, recording when each ledger became
// confirmed (the tip one past it): the zero of the latency clock.
func (c *Cluster) StartLedgers() {
	c.mu.Lock()
	if c.stopClock != nil {
		c.mu.Unlock()
		return
	}
	c.stopClock, c.clockDone = make(chan struct{}), make(chan struct{})
	stop, done := c.stopClock, c.clockDone
	c.mu.Unlock()
	go func() {
		defer close(done)
		t := time.NewTicker(c.cfg.TipInterval)
		defer t.Stop()
		for c.Sim.Tip() < LastLedger {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			tip, err := c.Sim.Advance(1)
			if err != nil {
				return // past the last file: nothing more to close
			}
			c.mu.Lock()
			c.confirmed[uint64(tip)-1] = time.Now()
			c.mu.Unlock()
		}
	}()
}

// StopLedgers stops the chain (the test's end does too).
func (c *Cluster) StopLedgers() {
	c.mu.Lock()
	stop, done := c.stopClock, c.clockDone
	c.mu.Unlock()
	if stop == nil {
		return
	}
	select {
	case <-stop:
	default:
		close(stop)
	}
	<-done
}

// WaitTip waits until the chain's tip has reached ledger.
func (c *Cluster) WaitTip(ledger uint32, timeout time.Duration) {
	c.T.Helper()
	c.WaitUntil(fmt.Sprintf("the tip to reach %d", ledger), timeout, func() bool { return c.Sim.Tip() >= ledger })
}

// FaultStarted and FaultCleared bracket the fault: recovery time runs
// from FaultCleared to the last expected notification's arrival.
func (c *Cluster) FaultStarted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faultFrom = time.Now()
}

// FaultCleared: see FaultStarted.
func (c *Cluster) FaultCleared() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faultTo = time.Now()
}

// WaitUntil polls cond every 50 ms and fails the test, saying what it
// waited for and how far delivery got, if cond is still false after
// timeout.
func (c *Cluster) WaitUntil(what string, timeout time.Duration, cond func() bool) {
	c.T.Helper()
	if !c.poll(timeout, cond) {
		c.T.Fatalf("timed out after %s waiting for %s (%d/%d expected notifications delivered, %d requests)",
			timeout, what, c.Delivered(), len(c.W.Expected), len(c.Rec.Arrivals()))
	}
}

func (c *Cluster) poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		_, wake := c.Rec.Len()
		select {
		case <-wake:
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}

// Delivered is how many expected notifications have been accepted by a
// receiver at least once.
func (c *Cluster) Delivered() int {
	seen := map[Key]bool{}
	for _, a := range c.Rec.Arrivals() {
		if k, ok := c.W.KeyOf(a); ok && a.Accepted() && c.W.Expects(k) {
			seen[k] = true
		}
	}
	return len(seen)
}

// WaitDelivered waits until n expected notifications have arrived.
func (c *Cluster) WaitDelivered(n int, timeout time.Duration) {
	c.T.Helper()
	c.WaitUntil(fmt.Sprintf("%d delivered notifications", n), timeout, func() bool { return c.Delivered() >= n })
}

// AwaitAll waits up to timeout for every expected notification; it does
// not fail — the Verdict says what is missing and why.
func (c *Cluster) AwaitAll(timeout time.Duration) bool {
	return c.poll(timeout, func() bool { return c.Delivered() >= len(c.W.Expected) })
}

// Settle waits, up to max, until no queue holds pending, active,
// scheduled or retrying work and no request arrived for a second, so
// that late duplicates are in before the verdict. It reports whether
// the pipeline went quiet.
func (c *Cluster) Settle(max time.Duration) bool {
	insp := c.Inspector()
	deadline := time.Now().Add(max)
	quietSince := time.Time{}
	lastN := -1
	for time.Now().Before(deadline) {
		n, _ := c.Rec.Len()
		if busy(insp) || n != lastN {
			quietSince, lastN = time.Time{}, n
		} else if quietSince.IsZero() {
			quietSince = time.Now()
		} else if time.Since(quietSince) >= time.Second {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.T.Logf("the pipeline was not quiet after %s: %s", max, c.QueueDepth())
	return false
}

// QueueDepth describes the unfinished work in every queue, for logs.
func (c *Cluster) QueueDepth() string {
	insp := c.Inspector()
	qs, err := insp.Queues()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	sort.Strings(qs)
	var parts []string
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			parts = append(parts, q+": "+err.Error())
			continue
		}
		if n := info.Pending + info.Active + info.Scheduled + info.Retry + info.Archived; n > 0 {
			parts = append(parts, fmt.Sprintf("%s pending %d active %d scheduled %d retry %d archived %d",
				q, info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// busy reports whether any queue holds unfinished work (or Redis cannot
// say).
func busy(insp *asynq.Inspector) bool {
	qs, err := insp.Queues()
	if err != nil {
		return true
	}
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return true
		}
		if info.Pending+info.Active+info.Scheduled+info.Retry > 0 {
			return true
		}
	}
	return false
}

// redisNodes are the processes of a Cluster or Sentinel topology.
func (c *Cluster) redisNodes() []*testkit.RedisNode {
	if c.RCluster != nil {
		return c.RCluster.Nodes
	}
	if c.RSentinel != nil {
		return append(append([]*testkit.RedisNode(nil), c.RSentinel.Data...), c.RSentinel.Sentinels...)
	}
	return nil
}

// Inspector reads the scenario's queues through the suite's own client
// (which outlives Redis restarts and failovers; Close is not needed).
func (c *Cluster) Inspector() *asynq.Inspector { return asynq.NewInspectorFromRedisClient(c.rdb) }

// RedisClient is the suite's own client of the scenario's Redis, whatever
// its topology.
func (c *Cluster) RedisClient() redis.UniversalClient { return c.rdb }

// Processes lists the ozmon processes started so far.
func (c *Cluster) Processes() []*Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Process(nil), c.procs...)
}

func (c *Cluster) dumpLogsOnFailure() {
	if !c.T.Failed() {
		return
	}
	for _, p := range c.Processes() {
		c.T.Logf("--- %s log tail (%s) ---\n%s", p.Name, p.LogPath(), tail(p.LogPath(), 25))
	}
	if c.Redis != nil {
		c.T.Logf("--- redis-server log tail ---\n%s", tail(c.Redis.LogPath(), 10))
	}

}
