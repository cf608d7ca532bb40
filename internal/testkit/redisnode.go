package testkit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisNode is a redis-server (data node or sentinel) process the test
// owns, on a spare 127.0.0.1 port, in a directory of its own. It is
// killed when the test ends; Kill, Pause and Resume inject faults.
type RedisNode struct {
	Name string
	Port int
	Dir  string

	bin  string
	args []string
	log  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Addr is 127.0.0.1:<port>.
func (n *RedisNode) Addr() string { return "127.0.0.1:" + strconv.Itoa(n.Port) }

// LogPath is the node's own log file.
func (n *RedisNode) LogPath() string { return n.log }

// Client is a single-node client of this node (no failover, one attempt),
// closed with the test.
func (n *RedisNode) Client(tb testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// startRedisNode runs bin with args (a config file path first) in dir,
// its output to dir/<name>.log, and waits until it answers PING.
func startRedisNode(name, bin, dir string, port int, args []string) (*RedisNode, error) {
	n := &RedisNode{Name: name, Port: port, Dir: dir, bin: bin, args: args, log: filepath.Join(dir, name+".log")}
	return n, n.start()
}

func (n *RedisNode) start() error {
	logf, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: open log: %w", n.Name, err)
	}
	cmd := exec.Command(n.bin, n.args...)
	cmd.Dir = n.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("%s: start %s: %w", n.Name, n.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	c := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	for {
		select {
		case <-exited:
			return fmt.Errorf("%s exited at start:\n%s", n.Name, tailFile(n.log, 15))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			n.Kill()
			return fmt.Errorf("%s did not answer PING within 20s: %v", n.Name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill sends SIGKILL and waits until the process is gone: what it had not
// replicated or written is lost, as in a crash.
func (n *RedisNode) Kill() {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT) // a paused process dies all the same, but reap it promptly
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// Restart starts a killed node again with its configuration (a cluster
// node rejoins from its nodes file; a sentinel-managed one as it was
// configured, to be reconfigured by the sentinels).
func (n *RedisNode) Restart() error {
	n.Kill()
	return n.start()
}

// Pause stops the process (SIGSTOP) without closing its sockets: a
// replica paused stops applying the replication stream, so the primary
// acknowledges writes that no replica has.
func (n *RedisNode) Pause() { n.signal(syscall.SIGSTOP) }

// DropReplicas closes this primary's connections to its replicas
// (CLIENT KILL TYPE replica). With the replicas paused, nothing written
// afterwards reaches them — a pause alone is not enough: the kernel keeps
// receiving the replication stream into a stopped replica's socket.
func (n *RedisNode) DropReplicas(ctx context.Context) error {
	c := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	if err := c.Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err(); err != nil {
		return fmt.Errorf("%s: CLIENT KILL TYPE replica: %w", n.Name, err)
	}
	return nil
}

// Resume continues a paused process (SIGCONT).
func (n *RedisNode) Resume() { n.signal(syscall.SIGCONT) }

func (n *RedisNode) signal(s syscall.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		_ = n.cmd.Process.Signal(s)
	}
}

// Running reports whether the node's process is alive (not killed).
func (n *RedisNode) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

// redisBinaries finds redis-server and redis-cli.
func redisBinaries(tb testing.TB) (server, cli string) {
	tb.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found on PATH (scripts/ensure-services.sh installs it): %v", err)
	}
	cli, err = exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redis-cli not found on PATH: %v", err)
	}
	return server, cli
}

// spareRedisPort picks a free 127.0.0.1 port whose cluster bus port
// (port+10000) is free as well. Another process may take it before the
// caller binds it; callers retry.
func spareRedisPort() (int, error) {
	for range 50 {
		p := 20000 + rand.IntN(35000)
		a, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		b, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return p, nil
	}
	return 0, errors.New("no spare port pair (p, p+10000) found in 50 tries")
}

// startOnSparePort writes the config that conf returns for a port into
// dir/<name>.conf and starts the node, trying new ports when one turns
// out to be taken.
func startOnSparePort(tb testing.TB, bin, dir, name string, conf func(port int) string, extraArgs ...string) *RedisNode {
	tb.Helper()
	var lastErr error
	for range 5 {
		port, err := spareRedisPort()
		if err != nil {
			tb.Fatal(err)
		}
		path := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(path, []byte(conf(port)), 0o644); err != nil {
			tb.Fatal(err)
		}
		n, err := startRedisNode(name, bin, dir, port, append([]string{path}, extraArgs...))
		if err == nil {
			tb.Cleanup(n.Kill)
			return n
		}
		lastErr = err
		if !strings.Contains(tailFile(n.log, 5), "Address already in use") {
			break
		}
	}
	tb.Fatalf("start %s: %v", name, lastErr)
	return nil
}

// baseConf is what every data node of a test topology runs with: no
// persistence (a killed node's data is gone, as the tests want), no
// eviction, diskless replication without the default 5 s delay.
func baseConf(port int) string {
	return fmt.Sprintf(`port %d
bind 127.0.0.1
protected-mode no
daemonize no
save ""
appendonly no
maxmemory-policy noeviction
repl-diskless-sync yes
repl-diskless-sync-delay 0
repl-ping-replica-period 1
logfile ""
`, port)
}

// tailFile returns the last n lines of a file, for failure messages.
func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log at %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
