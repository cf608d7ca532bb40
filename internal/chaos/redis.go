package chaos

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Persistence is how a Redis keeps its data across a kill.
type Persistence int

const (
	// NoPersistence: no RDB snapshots, no AOF — a restart comes back empty,
	// as a cache-configured or ephemeral Redis does.
	NoPersistence Persistence = iota
	// AOF: every write is appended and fsynced before it is acknowledged,
	// so a kill -9 loses nothing that was acknowledged.
	AOF
)

func (p Persistence) String() string {
	if p == AOF {
		return "aof"
	}
	return "none"
}

// Redis is a redis-server process of the suite's own on a free
// 127.0.0.1 port, never the machine's shared 6379: a scenario may kill it.
type Redis struct {
	tb      testing.TB
	bin     string
	port    int
	dir     string
	persist Persistence
	logPath string

	mu   sync.Mutex
	proc *child
	runs int
}

// StartRedis starts a redis-server with the given persistence; it is
// killed when the test ends. redis-server must be on PATH
// (scripts/ensure-services.sh installs it).
func StartRedis(tb testing.TB, persist Persistence) *Redis {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found on PATH (scripts/ensure-services.sh installs it): %v", err)
	}
	r := &Redis{tb: tb, bin: bin, dir: tb.TempDir(), persist: persist}
	r.logPath = filepath.Join(r.dir, "redis.log")
	tb.Cleanup(r.Kill)
	// A free port can be taken between our probe and redis' bind: try a
	// few, each time a new one.
	var lastErr error
	for range 5 {
		if r.port, lastErr = freePort(); lastErr != nil {
			continue
		}
		if lastErr = r.start(); lastErr == nil {
			return r
		}
	}
	tb.Fatalf("start redis-server: %v\n%s", lastErr, tail(r.logPath, 20))
	return nil
}

// Addr is host:port.
func (r *Redis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// URL is the redis:// URL ozmon's redis_url takes.
func (r *Redis) URL() string { return "redis://" + r.Addr() + "/0" }

// LogPath is redis-server's own log.
func (r *Redis) LogPath() string { return r.logPath }

func (r *Redis) start() error {
	args := []string{
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--protected-mode", "no",
		"--daemonize", "no", "--dir", r.dir, "--save", "", "--maxmemory-policy", "noeviction",
		"--logfile", "",
	}
	if r.persist == AOF {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	r.mu.Lock()
	r.runs++
	name := fmt.Sprintf("redis-server:%d#%d", r.port, r.runs)
	r.mu.Unlock()
	p, err := startChild(name, r.bin, args, []string{"PATH=" + os.Getenv("PATH")}, r.logPath)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if done, err := p.Exited(); done {
			return fmt.Errorf("%s exited at start: %v", name, err)
		}
		// PONG, not LOADING: an AOF restart answers only once replayed.
		if ping(r.Addr()) == nil {
			break
		}
		if time.Now().After(deadline) {
			p.kill()
			return fmt.Errorf("%s did not answer PING within 15s", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.mu.Lock()
	r.proc = p
	r.mu.Unlock()
	return nil
}

// Kill sends SIGKILL: what is not on disk is gone.
func (r *Redis) Kill() {
	r.mu.Lock()
	p := r.proc
	r.proc = nil
	r.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// Restart starts redis-server again on the same port and directory: empty
// without persistence, with its acknowledged writes under AOF.
func (r *Redis) Restart() {
	r.tb.Helper()
	r.Kill()
	var err error
	for range 3 { // the port was just ours; a retry covers a slow release
		if err = r.start(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.tb.Fatalf("restart redis on %s: %v\n%s", r.Addr(), err, tail(r.logPath, 20))
}

// ping speaks RESP's PING and wants +PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// freePort asks the kernel for a free 127.0.0.1 port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last n lines of a file, for failure messages.
func tail(path string, n int) string {
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
