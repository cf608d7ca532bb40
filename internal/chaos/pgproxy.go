package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ozmon/ozmon/internal/testkit"
)

// proxyState is what a PGProxy does with traffic.
type proxyState int

const (
	proxyOpen    proxyState = iota // forward
	proxyCut                       // close every connection, refuse new ones
	proxyStalled                   // accept and hold, forward nothing
)

// PGProxy is a TCP proxy on 127.0.0.1:0 in front of the real PostgreSQL,
// so a scenario can make the database unreachable (Cut) or silent (Stall)
// to ozmon's processes while the suite itself keeps its direct access.
type PGProxy struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	state proxyState
	wake  chan struct{} // closed and replaced when the state changes
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
	done  chan struct{}
}

// StartPGProxy proxies to upstream (host:port) until the test ends.
func StartPGProxy(tb testing.TB, upstream string) *PGProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("pg proxy: listen: %v", err)
	}
	p := &PGProxy{ln: ln, upstream: upstream, wake: make(chan struct{}), conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *PGProxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every proxied connection and refuses new ones until Restore:
// PostgreSQL is unreachable.
func (p *PGProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(proxyCut)
	for c := range p.conns {
		_ = c.Close()
	}
}

// Stall keeps connections open but forwards nothing until Restore:
// PostgreSQL hangs.
func (p *PGProxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(proxyStalled)
}

// Restore forwards again.
func (p *PGProxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(proxyOpen)
}

func (p *PGProxy) setLocked(s proxyState) {
	p.state = s
	close(p.wake)
	p.wake = make(chan struct{})
}

func (p *PGProxy) close() {
	close(p.done)
	_ = p.ln.Close()
	p.mu.Lock()
	p.setLocked(proxyCut)
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *PGProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		if p.state == proxyCut {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve connects a client to the upstream once the proxy is open, then
// copies both ways through gate.
func (p *PGProxy) serve(c net.Conn) {
	defer p.wg.Done()
	defer p.forget(c)
	if !p.gate() {
		return
	}
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.state == proxyCut {
		p.mu.Unlock()
		_ = up.Close()
		return
	}
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	defer p.forget(up)
	var both sync.WaitGroup
	both.Add(2)
	go func() { defer both.Done(); p.copy(up, c) }()
	go func() { defer both.Done(); p.copy(c, up) }()
	both.Wait()
}

func (p *PGProxy) forget(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// gate blocks while the proxy is stalled; false when it is cut.
func (p *PGProxy) gate() bool {
	for {
		p.mu.Lock()
		s, wake := p.state, p.wake
		p.mu.Unlock()
		switch s {
		case proxyOpen:
			return true
		case proxyCut:
			return false
		}
		select {
		case <-wake:
		case <-p.done:
			return false
		}
	}
}

// copy forwards src to dst chunk by chunk, holding each chunk while the
// proxy is stalled; either side closing ends both.
func (p *PGProxy) copy(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or closed: the deferred closes end the other direction
		}
	}
}

// Database is a PostgreSQL database of the scenario's own, dropped when
// the test ends: ozmon's LISTEN/NOTIFY channel and tables are then the
// scenario's alone.
type Database struct {
	Name string
	// Direct is the URL on the real server, for the suite itself.
	Direct string
}

// CreateDatabase creates a fresh database on the machine's PostgreSQL.
func CreateDatabase(tb testing.TB) Database {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := testkit.PostgresURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("postgres at %s is not reachable (scripts/ensure-services.sh starts it): %v", admin, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	// The creation time is in the name: SweepStale can tell the databases
	// of a run killed before its cleanups from those of a run in progress.
	name := fmt.Sprintf("chaos_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Logf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		// FORCE: a killed ozmon's sessions may linger for a moment.
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	direct, err := withDatabase(admin, name, "")
	if err != nil {
		tb.Fatal(err)
	}
	return Database{Name: name, Direct: direct}
}

// SweepStale drops the databases CreateDatabase made more than maxAge ago:
// what a test binary killed by its -timeout (or a signal) left behind,
// since its cleanups never ran. A run in progress is younger than maxAge.
func SweepStale(ctx context.Context, maxAge time.Duration) error {
	conn, err := pgx.Connect(ctx, testkit.PostgresURL())
	if err != nil {
		return fmt.Errorf("sweep stale databases: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'chaos\_%'`)
	if err != nil {
		return fmt.Errorf("sweep stale databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("sweep stale databases: %w", err)
	}
	for _, name := range names {
		var created int64
		if _, err := fmt.Sscanf(name, "chaos_%d_", &created); err != nil {
			continue // not one of ours
		}
		if time.Since(time.Unix(created, 0)) < maxAge {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop stale database %s: %w", name, err)
		}
	}
	return nil
}

// Via is the database's URL through a proxy at addr.
func (d Database) Via(addr string) string {
	u, err := withDatabase(d.Direct, d.Name, addr)
	if err != nil {
		panic(err) // Direct was built by withDatabase: it parses
	}
	return u
}

// Upstream is the host:port of the real server.
func (d Database) Upstream() string {
	u, err := url.Parse(d.Direct)
	if err != nil {
		return "127.0.0.1:5432"
	}
	if u.Port() == "" {
		return u.Hostname() + ":5432"
	}
	return u.Host
}

// withDatabase rewrites a postgres:// URL's database and, when host is
// not empty, its host:port.
func withDatabase(raw, db, host string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse postgres url: %w", err)
	}
	u.Path = "/" + db
	if host != "" {
		u.Host = host
	}
	return u.String(), nil
}
