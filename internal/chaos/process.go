package chaos

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Process is one ozmon role (`ozmon scheduler`, `ozmon worker`) run from
// the binary the suite built, configured through OZ_MONITOR_* variables,
// its JSON log appended to a file across restarts.
type Process struct {
	Name string
	tb   testing.TB
	bin  string
	role string
	env  []string // without OZ_MONITOR_METRICS_ADDR, chosen per start
	log  string

	mu      sync.Mutex
	proc    *child
	metrics string
	starts  int
}

// readyTimeout bounds how long a process may take to answer /readyz.
const readyTimeout = 45 * time.Second

// newProcess describes a role; Start runs it.
func newProcess(tb testing.TB, bin, name, role, logDir string, env []string) *Process {
	p := &Process{Name: name, tb: tb, bin: bin, role: role, env: env, log: filepath.Join(logDir, name+".log")}
	tb.Cleanup(p.Kill)
	return p
}

// StartProcess runs one ozmon role from bin outside a Cluster — for other
// suites that need real processes (internal/e2e) — with env as its whole
// environment (OZ_MONITOR_METRICS_ADDR is chosen per start), its log in
// logDir/name.log; it waits until the role answers /readyz and is killed
// when the test ends.
func StartProcess(tb testing.TB, bin, name, role, logDir string, env []string) *Process {
	tb.Helper()
	p := newProcess(tb, bin, name, role, logDir, env)
	p.Start()
	return p
}

// LogPath is the file the process's stdout and stderr go to.
func (p *Process) LogPath() string { return p.log }

// Start runs the role and waits until its /readyz answers 200 (Redis,
// PostgreSQL and, for a worker, its queues are reachable).
func (p *Process) Start() {
	p.tb.Helper()
	var lastErr error
	// The metrics port is probed free, then bound by the child: a race
	// with another process is possible, so a failed bind gets a new port.
	for attempt := 0; attempt < 3; attempt++ {
		if lastErr = p.startOnce(); lastErr == nil {
			return
		}
		if !strings.Contains(lastErr.Error(), "address already in use") {
			break
		}
	}
	p.tb.Fatalf("start %s: %v\n--- %s log tail ---\n%s", p.Name, lastErr, p.Name, tail(p.log, 30))
}

func (p *Process) startOnce() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p.mu.Lock()
	p.starts++
	n := p.starts
	p.mu.Unlock()
	if err := appendLine(p.log, fmt.Sprintf("### chaos: start #%d of %s at %s", n, p.Name, time.Now().Format(time.RFC3339Nano))); err != nil {
		return err
	}
	env := append(append([]string(nil), p.env...), "OZ_MONITOR_METRICS_ADDR="+addr)
	c, err := startChild(p.Name, p.bin, []string{p.role}, env, p.log)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(readyTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if done, werr := c.Exited(); done {
			t := tail(p.log, 5)
			if strings.Contains(t, "address already in use") {
				return fmt.Errorf("%s exited: %v: address already in use", p.Name, werr)
			}
			return fmt.Errorf("%s exited before it was ready: %v", p.Name, werr)
		}
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			c.kill()
			return fmt.Errorf("%s not ready after %s", p.Name, readyTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.mu.Lock()
	p.proc, p.metrics = c, addr
	p.mu.Unlock()
	return nil
}

// MetricsAddr is where the running process serves /metrics.
func (p *Process) MetricsAddr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.metrics
}

// Kill sends SIGKILL: no shutdown, in-flight work is abandoned mid-way.
func (p *Process) Kill() {
	p.mu.Lock()
	c := p.proc
	p.proc = nil
	p.mu.Unlock()
	if c != nil {
		c.kill()
		_ = appendLine(p.log, "### chaos: killed (SIGKILL) at "+time.Now().Format(time.RFC3339Nano))
	}
}

// Term sends SIGTERM and waits up to grace for a clean exit. It returns
// how long the process took, and an error if it exited non-zero or had to
// be killed.
func (p *Process) Term(grace time.Duration) (time.Duration, error) {
	p.mu.Lock()
	c := p.proc
	p.proc = nil
	p.mu.Unlock()
	if c == nil {
		return 0, fmt.Errorf("%s is not running", p.Name)
	}
	start := time.Now()
	err := c.term(grace)
	took := time.Since(start)
	_ = appendLine(p.log, fmt.Sprintf("### chaos: SIGTERM at %s, exited after %s (%v)", start.Format(time.RFC3339Nano), took.Round(time.Millisecond), err))
	return took, err
}

// Running reports whether the process is up.
func (p *Process) Running() bool {
	p.mu.Lock()
	c := p.proc
	p.mu.Unlock()
	if c == nil {
		return false
	}
	done, _ := c.Exited()
	return !done
}

// Crashed reports whether the process ended without being killed or
// terminated by the suite, with its exit error.
func (p *Process) Crashed() (bool, error) {
	p.mu.Lock()
	c := p.proc
	p.mu.Unlock()
	if c == nil {
		return false, nil // never started, or stopped on purpose
	}
	return c.Exited()
}

// Restart starts the role again after a Kill or Term.
func (p *Process) Restart() {
	p.tb.Helper()
	p.Kill()
	p.Start()
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, line)
	return err
}
