package live_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/live"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

// TestResumeAfterAKilledConnectionMissesNothing: a subscriber is cut off
// mid-stream while events keep coming, re-subscribes with the last id it
// saw, and ends with every event exactly once, in order.
func TestResumeAfterAKilledConnectionMissesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const total = 400
	ctx1, kill := context.WithCancel(t.Context())
	first := e.subscribe(ctx1, "t", live.Filter{}, "")
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range total {
			if err := e.pub.Publish(context.Background(), match("t", "m", i)); err != nil {
				t.Error(err)
				return
			}
			if i%50 == 0 {
				time.Sleep(5 * time.Millisecond) // let the stream run ahead and behind the reader
			}
		}
	}()
	got := receive(t, first, 100)
	kill() // the client's connection dies; events keep being published
	last := got[len(got)-1].ID
	for range first.Events() {
		// Events the dead connection had buffered are lost with it.
	}
	time.Sleep(20 * time.Millisecond)
	second := e.subscribe(t.Context(), "t", live.Filter{}, last)
	got = append(got, receive(t, second, total-100)...)
	<-published
	quiet(t, second)
	for i, ev := range got {
		if ev.Ledger != uint64(i) {
			t.Fatalf("event %d is ledger %d: lost or repeated across the resume", i, ev.Ledger)
		}
	}
}

// TestResumeWhileAnotherSubscriberKeepsTheFeedRunning: the resuming
// subscriber joins a feed already ahead of its resume point.
func TestResumeJoinsARunningFeedWithoutDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keeper := e.subscribe(t.Context(), "t", live.Filter{}, "")
	for i := range 30 {
		e.publish(match("t", "m", i))
	}
	seen := receive(t, keeper, 30)
	s := e.subscribe(t.Context(), "t", live.Filter{}, seen[9].ID)
	for i := 30; i < 40; i++ {
		e.publish(match("t", "m", i))
	}
	got := receive(t, s, 30)
	for i, ev := range got {
		if ev.Ledger != uint64(10+i) {
			t.Fatalf("event %d is ledger %d", i, ev.Ledger)
		}
	}
	quiet(t, s)
}

func TestResumeOutsideTheWindowIsSaidPlainly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.WithMaxLen(10))
	first := ""
	for i := range 1000 {
		ev := match("t", "m", i)
		e.publish(ev)
		if i == 0 {
			first = e.rdb.XRevRangeN(t.Context(), "test:live:{t}", "+", "-", 1).Val()[0].ID
		}
	}
	if n := e.rdb.XLen(t.Context(), "test:live:{t}").Val(); n >= 1000 || n < 10 {
		t.Fatalf("stream holds %d entries; MAXLEN ~ 10 should have trimmed it", n)
	}
	_, err := e.hub.Subscribe(t.Context(), "t", live.Filter{}, first)
	var ow *live.OutsideWindowError
	if !errors.Is(err, live.ErrOutsideWindow) || !errors.As(err, &ow) || ow.Oldest == "" || ow.After != first {
		t.Fatalf("resume after a trimmed id: %v", err)
	}
	oldest := e.rdb.XRangeN(t.Context(), "test:live:{t}", "-", "+", 1).Val()[0].ID
	if ow.Oldest != oldest {
		t.Fatalf("error names oldest %s, stream's oldest is %s", ow.Oldest, oldest)
	}
	// An id the stream never issued (a stream recreated since) is outside too.
	if _, err := e.hub.Subscribe(t.Context(), "t", live.Filter{}, "99999999999999-0"); !errors.Is(err, live.ErrOutsideWindow) {
		t.Fatalf("resume after a future id: %v", err)
	}
	if _, err := e.hub.Subscribe(t.Context(), "nobody", live.Filter{}, first); !errors.Is(err, live.ErrOutsideWindow) {
		t.Fatalf("resume on a stream that does not exist: %v", err)
	}
	// Resuming from the newest id is inside the window.
	newest := e.rdb.XRevRangeN(t.Context(), "test:live:{t}", "+", "-", 1).Val()[0].ID
	s := e.subscribe(t.Context(), "t", live.Filter{}, newest)
	e.publish(match("t", "m", 1000))
	if ev := receive(t, s, 1)[0]; ev.Ledger != 1000 {
		t.Fatalf("got %+v", ev)
	}
	if st := e.hub.Stats(); st.Subscriptions != 1 {
		t.Fatalf("refused resumes left subscriptions: %+v", st)
	}
}

// TestReaderSurvivesLosingRedis: the hub reaches Redis through a proxy
// that drops every connection and refuses new ones for a while; events
// published meanwhile arrive once it is back, none twice.
func TestReaderSurvivesLosingRedis(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	px := startProxy(t, e.opts.Addr)
	ro := *e.opts
	ro.Addr = px.addr()
	ro.MaxRetries = -1
	rdb := redis.NewClient(&ro)
	t.Cleanup(func() { _ = rdb.Close() })
	m := e.m
	hub := live.NewHub(rdb, live.WithKeyPrefix("test:live"), live.WithMetrics(m))
	t.Cleanup(hub.Close)
	s, err := hub.Subscribe(t.Context(), "t", live.Filter{}, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		e.publish(match("t", "m", i))
	}
	got := receive(t, s, 10)
	px.cut(true)
	for i := 10; i < 20; i++ {
		e.publish(match("t", "m", i)) // directly: only the hub lost Redis
	}
	waitFor(t, "a failed read", func() bool { return testutil.ToFloat64(m.Live.ReadErrors) > 0 })
	px.cut(false)
	got = append(got, receive(t, s, 10)...)
	for i, ev := range got {
		if ev.Ledger != uint64(i) {
			t.Fatalf("event %d is ledger %d", i, ev.Ledger)
		}
	}
	quiet(t, s)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// proxy forwards TCP to Redis and can drop every connection and refuse
// new ones.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { _ = ln.Close(); p.cut(true) })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

// cut drops every connection and refuses new ones (down) or lets them in.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			_ = c.Close()
		}
		p.conns = map[net.Conn]struct{}{}
	}
}

var _ = fmt.Sprint
