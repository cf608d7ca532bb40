package jsonrpc

import (
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Transport makes JSON-RPC calls over HTTP with failover across weighted
// endpoints. It is safe for concurrent use.
type Transport struct {
	name      string // "stellar rpc": starts every error and log message
	endpoints []endpoint
	http      *http.Client
	log       *slog.Logger
	observe   func(method, endpointURL string, err error)
	raw       bool

	callTimeout   time.Duration
	rounds        int
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRespBytes  int64
	maxBlockBytes int64 // read by the chain client, see WithMaxBlockBytes
	failbackAfter time.Duration

	mu         sync.Mutex
	active     int       // index of the endpoint tried first
	activeFrom time.Time // when active moved off the primary
	nextID     uint64
}

// New returns a transport over the endpoints, ordered by weight (highest
// first, ties keep their given order). name starts its errors and logs. It
// makes no network call. Defaults: 10 s per attempt, 3 rounds, backoff
// 250 ms doubling to 5 s, 64 MiB per response, failback after 1 minute.
func New(name string, endpoints []Endpoint, opts ...Option) (*Transport, error) {
	eps, err := orderEndpoints(name, endpoints)
	if err != nil {
		return nil, err
	}
	t := &Transport{
		name:          name,
		endpoints:     eps,
		http:          &http.Client{},
		log:           slog.New(slog.DiscardHandler),
		callTimeout:   10 * time.Second,
		rounds:        3,
		backoffBase:   250 * time.Millisecond,
		backoffMax:    5 * time.Second,
		maxRespBytes:  64 << 20,
		failbackAfter: time.Minute,
	}
	for _, o := range opts {
		o(t)
	}
	if t.backoffMax < t.backoffBase {
		t.backoffMax = t.backoffBase
	}
	return t, nil
}

// Endpoints returns the redacted endpoint URLs in the order they are tried
// when all are healthy.
func (t *Transport) Endpoints() []string {
	out := make([]string, len(t.endpoints))
	for i, e := range t.endpoints {
		out[i] = e.redacted
	}
	return out
}

// Close releases idle connections.
func (t *Transport) Close() {
	t.http.CloseIdleConnections()
}

// firstEndpoint is where a call starts: the endpoint that last worked,
// until failbackAfter has passed, then the highest-weight one again.
func (t *Transport) firstEndpoint() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active != 0 && time.Since(t.activeFrom) > t.failbackAfter {
		t.active = 0
	}
	return t.active
}

func (t *Transport) markGood(i int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active != i {
		if i != 0 {
			t.log.Info(t.name+" failover", "endpoint", t.endpoints[i].redacted)
		}
		t.active = i
		t.activeFrom = time.Now()
	}
}

func (t *Transport) newID() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID++
	return t.nextID
}

// MaxBlockBytes is the cap set by WithMaxBlockBytes (0 if none).
func (t *Transport) MaxBlockBytes() int64 { return t.maxBlockBytes }
