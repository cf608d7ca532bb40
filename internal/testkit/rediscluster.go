package testkit

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCluster is a real Redis Cluster of local redis-server processes
// (cluster-enabled, on spare ports, in a temporary directory), created
// with `redis-cli --cluster create … --cluster-replicas N` and stopped
// when the test ends. Failover is tuned to be quick: node timeout 1 s, and
// a replica may take over however long it was cut off from its primary
// (cluster-replica-validity-factor 0).
type RedisCluster struct {
	Nodes []*RedisNode
	tb    testing.TB
}

// ClusterNodeTimeout is the cluster-node-timeout of StartRedisCluster:
// a primary is failed over about this long after it stops answering.
const ClusterNodeTimeout = time.Second

// StartRedisCluster starts primaries × (1 + replicas) nodes and creates a
// cluster of them, then waits until every node reports cluster_state:ok
// and every replica is in sync.
func StartRedisCluster(tb testing.TB, primaries, replicas int) *RedisCluster {
	tb.Helper()
	if primaries < 3 {
		tb.Fatalf("a Redis Cluster needs at least 3 primaries, not %d", primaries)
	}
	server, cli := redisBinaries(tb)
	dir := tb.TempDir()
	c := &RedisCluster{tb: tb}
	for i := range primaries * (1 + replicas) {
		name := fmt.Sprintf("cluster-node-%d", i)
		c.Nodes = append(c.Nodes, startOnSparePort(tb, server, dir, name, func(port int) string {
			return baseConf(port) + fmt.Sprintf(`cluster-enabled yes
cluster-config-file %s-nodes.conf
cluster-node-timeout %d
cluster-replica-validity-factor 0
cluster-require-full-coverage yes
cluster-allow-reads-when-down no
`, name, ClusterNodeTimeout.Milliseconds())
		}))
	}
	args := []string{"--cluster", "create"}
	for _, n := range c.Nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", fmt.Sprint(replicas), "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(ctx, primaries, replicas); err != nil {
		tb.Fatalf("redis cluster: %v", err)
	}
	return c
}

// URL is the cluster's redis_url: redis+cluster://<every node>.
func (c *RedisCluster) URL() string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr()
	}
	return "redis+cluster://" + strings.Join(addrs, ",")
}

// Client is a cluster client of every node, closed with the test.
func (c *RedisCluster) Client() *redis.ClusterClient {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr()
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, DialTimeout: time.Second, ClusterStateReloadInterval: time.Second})
	c.tb.Cleanup(func() { _ = cc.Close() })
	return cc
}

// Node returns the node listening on addr (nil if none).
func (c *RedisCluster) Node(addr string) *RedisNode {
	for _, n := range c.Nodes {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}

// ClusterShard is one shard's serving primary, its live replicas and its
// slot ranges, as a node sees them.
type ClusterShard struct {
	Primary  string // host:port
	Replicas []string
	Slots    []redis.SlotRange
}

// Shards reads CLUSTER SHARDS from the first live node. A shard without
// slots, or whose primary is not online (failed, not yet replaced), is
// left out; failed replicas too.
func (c *RedisCluster) Shards(ctx context.Context) ([]ClusterShard, error) {
	var lastErr error
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		shards, err := cl.ClusterShards(ctx).Result()
		cl.Close()
		if err != nil {
			lastErr = err
			continue
		}
		var out []ClusterShard
		for _, sh := range shards {
			if len(sh.Slots) == 0 {
				continue
			}
			cs := ClusterShard{Slots: sh.Slots}
			for _, node := range sh.Nodes {
				addr := net.JoinHostPort(node.IP, strconv.FormatInt(node.Port, 10))
				switch {
				case node.Health != "online":
				case node.Role == "master":
					cs.Primary = addr
				default:
					cs.Replicas = append(cs.Replicas, addr)
				}
			}
			if cs.Primary != "" {
				out = append(out, cs)
			}
		}
		slices.SortFunc(out, func(a, b ClusterShard) int { return strings.Compare(a.Primary, b.Primary) })
		return out, nil
	}
	return nil, fmt.Errorf("no live node answered CLUSTER SHARDS: %v", lastErr)
}

// PrimaryFor returns the node that is primary for key's slot now.
func (c *RedisCluster) PrimaryFor(ctx context.Context, key string) (*RedisNode, error) {
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{c.liveAddr()}, DialTimeout: time.Second})
	defer cc.Close()
	slot, err := cc.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("CLUSTER KEYSLOT %s: %w", key, err)
	}
	shards, err := c.Shards(ctx)
	if err != nil {
		return nil, err
	}
	for _, sh := range shards {
		for _, r := range sh.Slots {
			if r.Start <= slot && slot <= r.End {
				return c.Node(sh.Primary), nil
			}
		}
	}
	return nil, fmt.Errorf("no primary serves slot %d of %s", slot, key)
}

func (c *RedisCluster) liveAddr() string {
	for _, n := range c.Nodes {
		if n.Running() {
			return n.Addr()
		}
	}
	return c.Nodes[0].Addr()
}

// WaitHealthy waits until every live node reports cluster_state:ok, the
// cluster has the given number of primaries, each with that many
// replicas, and every replica's link to its primary is up.
func (c *RedisCluster) WaitHealthy(ctx context.Context, primaries, replicas int) error {
	var why string
	for {
		why = c.unhealthy(ctx, primaries, replicas)
		if why == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy: %s", why)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *RedisCluster) unhealthy(ctx context.Context, primaries, replicas int) string {
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		info, err := cl.ClusterInfo(ctx).Result()
		repl, rerr := cl.Info(ctx, "replication").Result()
		cl.Close()
		if err != nil || rerr != nil {
			return fmt.Sprintf("%s: %v %v", n.Addr(), err, rerr)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return n.Addr() + " reports the cluster not ok"
		}
		if strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up") {
			return n.Addr() + " is a replica whose link to its primary is down"
		}
	}
	shards, err := c.Shards(ctx)
	if err != nil {
		return err.Error()
	}
	if len(shards) != primaries {
		return fmt.Sprintf("%d primaries, want %d", len(shards), primaries)
	}
	for _, sh := range shards {
		if len(sh.Replicas) != replicas {
			return fmt.Sprintf("primary %s has %d replicas, want %d", sh.Primary, len(sh.Replicas), replicas)
		}
	}
	return ""
}

// WaitFailover waits until the slot that key hashes to is served by a
// primary other than old and the cluster reports ok on every live node;
// it returns the new primary.
func (c *RedisCluster) WaitFailover(ctx context.Context, key string, old *RedisNode) (*RedisNode, error) {
	for {
		p, err := c.PrimaryFor(ctx, key)
		if err == nil && p != nil && p != old && c.allOK(ctx) {
			return p, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("slot of %s not failed over from %s: %v", key, old.Addr(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *RedisCluster) allOK(ctx context.Context) bool {
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		info, err := cl.ClusterInfo(ctx).Result()
		cl.Close()
		if err != nil || !strings.Contains(info, "cluster_state:ok") {
			return false
		}
	}
	return true
}
