package chaos

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mode is how a Receiver answers a request.
type Mode struct {
	// FailFirst answers 503 to each tenant's first FailFirst requests.
	FailFirst int
	// Delay holds each (non-failed) request this long before answering
	// 200: a slow receiver, or with a long Delay a hanging one. The
	// request has arrived all the same: a receiver that hangs still
	// processes what it got, late — so it counts as received even when
	// the sender gives up waiting.
	Delay time.Duration
}

// Arrival is one request a Receiver got.
type Arrival struct {
	Listener string
	Tenant   string // from the path /t/<tenant>/<trigger>
	Trigger  string
	Monitor  string // the webhook title: ${monitor.name}
	TxHash   string // the webhook body: ${transaction.hash}
	Key      string // the Idempotency-Key header
	BodyHash string // sha256 of the body, hex
	At       time.Time
	Status   int // the answer given (or, for a held request, to be given)
}

// Accepted reports whether the receiver took the notification (answered,
// or will answer, 2xx). A 503 is a refusal: the sender must try again.
func (a Arrival) Accepted() bool { return a.Status >= 200 && a.Status < 300 }

// Recorder collects the arrivals of every Receiver of a scenario, in
// arrival order.
type Recorder struct {
	mu       sync.Mutex
	arrivals []Arrival
	wake     chan struct{} // closed and replaced on every arrival
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{wake: make(chan struct{})} }

func (r *Recorder) add(a Arrival) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.arrivals = append(r.arrivals, a)
	close(r.wake)
	r.wake = make(chan struct{})
}

// Arrivals returns a copy of every arrival so far.
func (r *Recorder) Arrivals() []Arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Arrival(nil), r.arrivals...)
}

// Len is the number of arrivals so far, and a channel closed at the next.
func (r *Recorder) Len() (int, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arrivals), r.wake
}

// Receiver is one HTTP listener on 127.0.0.1 playing tenants' webhook
// endpoints. Its mode can be set for the whole listener or per tenant,
// and changed while the scenario runs.
type Receiver struct {
	name   string
	rec    *Recorder
	ln     net.Listener
	srv    *http.Server
	closed chan struct{}

	mu      sync.Mutex
	held    map[uint64]time.Time // requests held, not yet answered, by arrival time
	nextID  uint64
	mode    Mode
	tenants map[string]Mode
	refused map[string]int // per tenant, 503s given so far
}

// StartReceiver listens on a free port until the test ends.
func StartReceiver(tb testing.TB, name string, rec *Recorder) *Receiver {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("receiver %s: listen: %v", name, err)
	}
	r := &Receiver{name: name, rec: rec, ln: ln, closed: make(chan struct{}), held: map[uint64]time.Time{}, tenants: map[string]Mode{}, refused: map[string]int{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	tb.Cleanup(func() {
		close(r.closed) // releases held requests
		_ = r.srv.Close()
	})
	return r
}

// URL is the endpoint of a tenant's trigger on this listener.
func (r *Receiver) URL(tenant, trigger string) string {
	return fmt.Sprintf("http://%s/t/%s/%s", r.ln.Addr(), tenant, trigger)
}

// SetMode sets how the listener answers every tenant without a mode of
// its own.
func (r *Receiver) SetMode(m Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mode = m
}

// SetTenantMode sets how the listener answers one tenant.
func (r *Receiver) SetTenantMode(tenant string, m Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tenants[tenant] = m
}

// InFlight is the number of requests the listener holds unanswered.
func (r *Receiver) InFlight() int { return r.HeldFor(0) }

// HeldFor is the number of requests held unanswered that arrived less
// than d ago (0: all of them): sends with most of their wait ahead.
func (r *Receiver) HeldFor(d time.Duration) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d == 0 {
		return len(r.held)
	}
	n := 0
	for _, at := range r.held {
		if time.Since(at) < d {
			n++
		}
	}
	return n
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	a := Arrival{Listener: r.name, Key: req.Header.Get("Idempotency-Key"), At: time.Now(), Status: http.StatusOK}
	if rest, ok := strings.CutPrefix(req.URL.Path, "/t/"); ok {
		a.Tenant, a.Trigger, _ = strings.Cut(rest, "/")
	}
	var msg struct{ Title, Body string }
	if json.Unmarshal(body, &msg) == nil {
		a.Monitor, a.TxHash = msg.Title, msg.Body
	}
	sum := sha256.Sum256(body)
	a.BodyHash = hex.EncodeToString(sum[:])

	r.mu.Lock()
	m, ok := r.tenants[a.Tenant]
	if !ok {
		m = r.mode
	}
	if r.refused[a.Tenant] < m.FailFirst {
		r.refused[a.Tenant]++
		a.Status = http.StatusServiceUnavailable
	}
	r.mu.Unlock()
	r.rec.add(a)

	if a.Status != http.StatusOK {
		http.Error(w, "failing on purpose", a.Status)
		return
	}
	if m.Delay > 0 {
		r.mu.Lock()
		r.nextID++
		id := r.nextID
		r.held[id] = a.At
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.held, id)
			r.mu.Unlock()
		}()
		t := time.NewTimer(m.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done(): // the sender gave up; we still got it
			return
		case <-r.closed:
			return
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}
