package testkit

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisSentinel is a real Sentinel setup of local processes: one primary,
// its replicas and a quorum of sentinels (`redis-server --sentinel`), on
// spare ports, stopped when the test ends. Failover is tuned to be quick:
// a primary is down after SentinelDownAfter without answering.
type RedisSentinel struct {
	Master    string // the name the sentinels monitor it under
	Data      []*RedisNode
	Sentinels []*RedisNode
	tb        testing.TB
}

// SentinelDownAfter is the sentinels' down-after-milliseconds.
const SentinelDownAfter = time.Second

// StartRedisSentinel starts a primary with replicas replicas and
// sentinels sentinels (quorum: a majority), and waits until every
// sentinel knows every replica and every replica is in sync.
func StartRedisSentinel(tb testing.TB, replicas, sentinels int) *RedisSentinel {
	tb.Helper()
	server, _ := redisBinaries(tb)
	dir := tb.TempDir()
	s := &RedisSentinel{Master: "ozmon-primary", tb: tb}
	primary := startOnSparePort(tb, server, dir, "primary", baseConf)
	s.Data = append(s.Data, primary)
	for i := range replicas {
		s.Data = append(s.Data, startOnSparePort(tb, server, dir, fmt.Sprintf("replica-%d", i), func(port int) string {
			return baseConf(port) + "replicaof 127.0.0.1 " + strconv.Itoa(primary.Port) + "\n"
		}))
	}
	quorum := sentinels/2 + 1
	for i := range sentinels {
		s.Sentinels = append(s.Sentinels, startOnSparePort(tb, server, dir, fmt.Sprintf("sentinel-%d", i), func(port int) string {
			return fmt.Sprintf(`port %d
bind 127.0.0.1
protected-mode no
daemonize no
logfile ""
sentinel monitor %s 127.0.0.1 %d %d
sentinel down-after-milliseconds %s %d
sentinel failover-timeout %s 10000
sentinel parallel-syncs %s 1
`, port, s.Master, primary.Port, quorum, s.Master, SentinelDownAfter.Milliseconds(), s.Master, s.Master)
		}, "--sentinel"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx, primary.Addr(), replicas); err != nil {
		tb.Fatalf("redis sentinel: %v", err)
	}
	return s
}

// URL is the redis_url of the setup: redis+sentinel://<sentinels>/<master>.
func (s *RedisSentinel) URL() string {
	addrs := make([]string, len(s.Sentinels))
	for i, n := range s.Sentinels {
		addrs[i] = n.Addr()
	}
	return "redis+sentinel://" + strings.Join(addrs, ",") + "/" + s.Master + "/0"
}

// Client is a failover client through the sentinels, closed with the test.
func (s *RedisSentinel) Client() *redis.Client {
	addrs := make([]string, len(s.Sentinels))
	for i, n := range s.Sentinels {
		addrs[i] = n.Addr()
	}
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: s.Master, SentinelAddrs: addrs, DialTimeout: time.Second})
	s.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Node returns the data node listening on addr (nil if none).
func (s *RedisSentinel) Node(addr string) *RedisNode {
	for _, n := range s.Data {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}

// Primary asks the sentinels which data node is the primary now: the
// answer of a majority of the live ones.
func (s *RedisSentinel) Primary(ctx context.Context) (*RedisNode, error) {
	votes := map[string]int{}
	live := 0
	for _, sn := range s.Sentinels {
		if !sn.Running() {
			continue
		}
		live++
		c := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		addr, err := c.GetMasterAddrByName(ctx, s.Master).Result()
		c.Close()
		if err == nil && len(addr) == 2 {
			votes[net.JoinHostPort(addr[0], addr[1])]++
		}
	}
	for addr, n := range votes {
		if n > live/2 {
			if node := s.Node(addr); node != nil {
				return node, nil
			}
			return nil, fmt.Errorf("the sentinels name %s, which is not a node of this setup", addr)
		}
	}
	return nil, fmt.Errorf("the sentinels do not agree on a primary: %v", votes)
}

// WaitReady waits until a majority of sentinels name primary, each
// sentinel knows the replicas, and every replica's link is up.
func (s *RedisSentinel) WaitReady(ctx context.Context, primary string, replicas int) error {
	var why string
	for {
		why = s.notReady(ctx, primary, replicas)
		if why == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %s", why)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *RedisSentinel) notReady(ctx context.Context, primary string, replicas int) string {
	p, err := s.Primary(ctx)
	if err != nil {
		return err.Error()
	}
	if p.Addr() != primary {
		return fmt.Sprintf("the sentinels name %s, not %s", p.Addr(), primary)
	}
	for _, sn := range s.Sentinels {
		if !sn.Running() {
			continue
		}
		c := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		reps, err := c.Replicas(ctx, s.Master).Result()
		c.Close()
		if err != nil {
			return fmt.Sprintf("sentinel %s: %v", sn.Addr(), err)
		}
		up := 0
		for _, r := range reps {
			if r["master-link-status"] == "ok" && !strings.Contains(r["flags"], "down") {
				up++
			}
		}
		if up < replicas {
			return fmt.Sprintf("sentinel %s sees %d of %d replicas in sync", sn.Addr(), up, replicas)
		}
	}
	return ""
}

// WaitFailover waits until the sentinels name a primary other than old
// and that node answers as a primary; it returns the new primary.
func (s *RedisSentinel) WaitFailover(ctx context.Context, old *RedisNode) (*RedisNode, error) {
	for {
		p, err := s.Primary(ctx)
		if err == nil && p != old {
			c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1, DialTimeout: time.Second})
			role, rerr := c.Do(ctx, "ROLE").Slice()
			c.Close()
			if rerr == nil && len(role) > 0 && role[0] == "master" {
				return p, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no failover from %s: %v", old.Addr(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
