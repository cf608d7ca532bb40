package stellar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// deadURL is the URL of a sim that has been closed: connection refused.
func deadURL(t *testing.T) string {
	t.Helper()
	s := ozmontest.StartStellarSim(t, synth(1, 10, 1, 1))
	u := s.URL()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return u
}

type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) observe(method, endpoint string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("%s %s %v", method, endpoint, err == nil))
}

func (o *observed) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.calls...)
}

func TestFailoverFirstEndpointDown(t *testing.T) {
	t.Parallel()
	dead := deadURL(t)
	sim := ozmontest.StartStellarSim(t, synth(21, 100, 5, 2))
	var obs observed
	c := newClient(t, []string{dead, sim.URL()}, chain.WithCallObserver(obs.observe))
	ctx := context.Background()
	l, err := c.Ledger(ctx, 101)
	if err != nil || l.Sequence != 101 {
		t.Fatalf("ledger via the second endpoint: %v", err)
	}
	want := []string{"getLedgers " + dead + " false", "getLedgers " + sim.URL() + " true"}
	if got := obs.list(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("attempts %v, want %v", got, want)
	}
	// The client stays on the endpoint that works.
	if _, err := c.Ledger(ctx, 102); err != nil {
		t.Fatal(err)
	}
	if got := obs.list(); len(got) != 3 || !strings.Contains(got[2], sim.URL()) {
		t.Fatalf("second call attempts %v", got)
	}
}

func TestFailoverOnStatusAndRPCErrors(t *testing.T) {
	t.Parallel()
	for _, f := range []ozmontest.Fault{
		{HTTPStatus: http.StatusTooManyRequests},
		{HTTPStatus: http.StatusServiceUnavailable},
		{Code: -32603, Message: "internal error"},
		{Body: []byte("<html>502 Bad Gateway</html>")},
		{Body: []byte(`{"jsonrpc":"2.0","id":1}`)},
	} {
		first := ozmontest.StartStellarSim(t, synth(22, 100, 3, 1))
		second := ozmontest.StartStellarSim(t, synth(22, 100, 3, 1))
		first.InjectFault("*", f)
		c := newClient(t, []string{first.URL(), second.URL()})
		if _, err := c.Ledgers(context.Background(), 100, 3); err != nil {
			t.Fatalf("fault %+v: %v", f, err)
		}
		if first.Calls("getLedgers") != 1 || second.Calls("getLedgers") != 1 {
			t.Fatalf("fault %+v: calls %d/%d, want 1/1", f, first.Calls("getLedgers"), second.Calls("getLedgers"))
		}
	}
}

func TestFailoverSlowEndpoint(t *testing.T) {
	t.Parallel()
	slow := ozmontest.StartStellarSim(t, synth(23, 100, 3, 1))
	fast := ozmontest.StartStellarSim(t, synth(23, 100, 3, 1))
	slow.InjectFault("getHealth", ozmontest.Fault{Delay: time.Minute})
	c := newClient(t, []string{slow.URL(), fast.URL()}, chain.WithCallTimeout(time.Second))
	h, err := c.Health(context.Background())
	if err != nil || h.LatestLedger != 102 {
		t.Fatalf("health via the fast endpoint: %+v %v", h, err)
	}
	if slow.Calls("getHealth") != 1 || fast.Calls("getHealth") != 1 {
		t.Fatalf("calls %d/%d", slow.Calls("getHealth"), fast.Calls("getHealth"))
	}
}

func TestAllEndpointsDownIsBounded(t *testing.T) {
	t.Parallel()
	a := ozmontest.StartStellarSim(t, synth(24, 100, 3, 1))
	b := ozmontest.StartStellarSim(t, synth(24, 100, 3, 1))
	a.InjectFault("*", ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable})
	b.InjectFault("*", ozmontest.Fault{HTTPStatus: http.StatusTooManyRequests})
	c := newClient(t, []string{a.URL(), b.URL()}, chain.WithRetries(3))
	_, err := c.Ledger(context.Background(), 101)
	if err == nil {
		t.Fatal("no error with every endpoint down")
	}
	if a.Calls("getLedgers") != 3 || b.Calls("getLedgers") != 3 {
		t.Fatalf("calls %d/%d, want 3 rounds on each", a.Calls("getLedgers"), b.Calls("getLedgers"))
	}
	msg := err.Error()
	for _, want := range []string{"getLedgers", "ledger 101", a.URL(), b.URL(), "HTTP 503", "HTTP 429"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	var ce *CallError
	if !errors.As(err, &ce) || ce.Method != "getLedgers" || ce.Ledger != 101 {
		t.Fatalf("no CallError in %v", err)
	}
	if errors.Is(err, ErrLedgerPruned) {
		t.Fatal("an outage reported as pruned")
	}
}

func TestDeadEndpointsOnly(t *testing.T) {
	t.Parallel()
	c := newClient(t, []string{deadURL(t), deadURL(t)}, chain.WithRetries(2))
	_, err := c.Health(context.Background())
	if err == nil || !strings.Contains(err.Error(), "getHealth") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("error %v", err)
	}
}

func TestPrunedLedger(t *testing.T) {
	t.Parallel()
	a := ozmontest.StartStellarSim(t, synth(25, 100, 20, 1))
	b := ozmontest.StartStellarSim(t, synth(25, 100, 20, 1))
	a.InjectFault("getLedgers", ozmontest.Fault{Pruned: 110})
	b.InjectFault("getLedgers", ozmontest.Fault{Pruned: 112})
	c := newClient(t, []string{a.URL(), b.URL()}, chain.WithRetries(5))
	_, err := c.Ledger(context.Background(), 105)
	if !errors.Is(err, ErrLedgerPruned) {
		t.Fatalf("want ErrLedgerPruned, got %v", err)
	}
	var pe *PrunedError
	if !errors.As(err, &pe) || pe.Ledger != 105 || pe.Oldest != 110 || pe.Latest != 119 {
		t.Fatalf("pruned error %+v", pe)
	}
	if !strings.Contains(err.Error(), "ledger 105") || !strings.Contains(err.Error(), "110-119") {
		t.Fatalf("error %q does not name the ledger and range", err)
	}
	// Each endpoint is asked once: retrying a pruned ledger is pointless.
	if a.Calls("getLedgers") != 1 || b.Calls("getLedgers") != 1 {
		t.Fatalf("calls %d/%d, want 1/1", a.Calls("getLedgers"), b.Calls("getLedgers"))
	}

	// One node pruned, the other keeps the ledger: the other serves it.
	b.InjectFault("getLedgers", ozmontest.Fault{})
	if l, err := c.Ledger(context.Background(), 105); err != nil || l.Sequence != 105 {
		t.Fatalf("ledger from the node that keeps it: %v", err)
	}
}

// TestPrunedByLaterPage covers providers that answer an old startLedger
// with a page beginning at their oldest ledger instead of an error.
func TestPrunedByLaterPage(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(26, 100, 3, 1))
	const page = `{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"hash":"` +
		`00000000000000000000000000000000000000000000000000000000000000aa","sequence":150,"ledgerCloseTime":"1","headerXdr":"","metadataXdr":"AAAA"}],` +
		`"latestLedger":160,"oldestLedger":150,"cursor":"150"}}`
	sim.InjectFault("getLedgers", ozmontest.Fault{Body: []byte(page)})
	c := newClient(t, []string{sim.URL()}, chain.WithRetries(4))
	_, err := c.Ledger(context.Background(), 120)
	var pe *PrunedError
	if !errors.As(err, &pe) || !errors.Is(err, ErrLedgerPruned) || pe.Oldest != 150 || pe.Latest != 160 {
		t.Fatalf("want pruned 150-160, got %v", err)
	}
	if sim.Calls("getLedgers") != 1 {
		t.Fatalf("%d calls, want 1", sim.Calls("getLedgers"))
	}
}

func TestGarbageResponses(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`not json at all`,
		`{"jsonrpc":"2.0","id":1,"result":null}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":"nope"}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":"x"}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":100,"hash":"zz","metadataXdr":"AAAA"}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":100,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":"!!"}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":100,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":""}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":99,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":"AAAA"}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":100,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":"AAAA"},{"sequence":102,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":"AAAA"}],"latestLedger":200,"oldestLedger":1}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[],"latestLedger":200,"oldestLedger":1}`,
		`{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":100,"hash":"` + strings.Repeat("ab", 32) + `","metadataXdr":"AAAA"}],"latestLedger":"200"}}`,
		`{"jsonrpc":"2.0","id":1,"error":"not an object"}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}`,
		`[]`,
	} {
		sim := ozmontest.StartStellarSim(t, synth(27, 100, 3, 1))
		sim.InjectFault("*", ozmontest.Fault{Body: []byte(body)})
		c := newClient(t, []string{sim.URL()}, chain.WithRetries(1))
		if ls, err := c.Ledgers(context.Background(), 100, 3); err == nil {
			t.Errorf("body %s: accepted (%d ledgers)", body, len(ls))
		}
		if _, err := c.Health(context.Background()); err == nil && !strings.Contains(body, "ledgers") {
			t.Errorf("body %s: health accepted", body)
		}
	}
}

func TestSecretsRedacted(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(28, 100, 3, 1))
	sim.InjectFault("*", ozmontest.Fault{HTTPStatus: http.StatusUnauthorized})
	host := strings.TrimPrefix(sim.URL(), "http://")
	secretURL := "http://alice:hunter2@" + host + "/v1/0a1b2c3d4e5f6a7b8c9d0e1f?apikey=topsecret"
	var seen []string
	var mu sync.Mutex
	c := newClient(t, []string{secretURL}, chain.WithRetries(1), chain.WithCallObserver(func(_, ep string, _ error) {
		mu.Lock()
		seen = append(seen, ep)
		mu.Unlock()
	}))
	_, err := c.Health(context.Background())
	if err == nil {
		t.Fatal("401 accepted")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range append(seen, err.Error(), strings.Join(c.rpc.Endpoints(), " ")) {
		for _, secret := range []string{"hunter2", "alice", "0a1b2c3d4e5f6a7b8c9d0e1f", "topsecret"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q leaks %q", s, secret)
			}
		}
	}
	if sim.Calls("getHealth") != 1 {
		t.Fatal("the request did not reach the node with its credentials path")
	}
}

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	if _, err := NewClient(nil); err == nil {
		t.Fatal("no endpoints accepted")
	}
	if _, err := NewClient([]chain.Endpoint{{URL: "http://a", Weight: 0}}); err == nil {
		t.Fatal("zero-weight endpoint used")
	}
	_, err := NewClient([]chain.Endpoint{{URL: "gopher://k3y0123456789abcdefgh@x", Weight: 1}})
	if err == nil || strings.Contains(err.Error(), "k3y0123456789abcdefgh") {
		t.Fatalf("bad URL: %v", err)
	}
	c, err := NewClient([]chain.Endpoint{{URL: "http://low", Weight: 1}, {URL: "http://high", Weight: 9}, {URL: "http://mid", Weight: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.rpc.Endpoints(), ","); got != "http://high,http://mid,http://low" {
		t.Fatalf("order %s", got)
	}
}

func TestCallerCancelStopsRetries(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(29, 100, 3, 1))
	sim.InjectFault("*", ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable})
	c := newClient(t, []string{sim.URL()}, chain.WithRetries(1000), chain.WithBackoff(time.Hour, time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Health(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the caller's deadline, got %v", err)
	}
	if sim.Calls("getHealth") > 1 {
		t.Fatalf("%d calls after cancel", sim.Calls("getHealth"))
	}
}

func TestFailbackToPrimary(t *testing.T) {
	t.Parallel()
	primary := ozmontest.StartStellarSim(t, synth(30, 100, 3, 1))
	backup := ozmontest.StartStellarSim(t, synth(30, 100, 3, 1))
	primary.InjectFault("*", ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable, Times: 1})
	c := newClient(t, []string{primary.URL(), backup.URL()}, chain.WithFailback(time.Millisecond))
	ctx := context.Background()
	if _, err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if primary.Calls("getHealth") != 1 || backup.Calls("getHealth") != 1 {
		t.Fatalf("failover: %d/%d", primary.Calls("getHealth"), backup.Calls("getHealth"))
	}
	time.Sleep(10 * time.Millisecond) // past the failback period
	if _, err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if primary.Calls("getHealth") != 2 || backup.Calls("getHealth") != 1 {
		t.Fatalf("after failback: %d/%d, want the primary asked again", primary.Calls("getHealth"), backup.Calls("getHealth"))
	}
}

func TestPrunedOnOneEndpointOutageOnOther(t *testing.T) {
	t.Parallel()
	a := ozmontest.StartStellarSim(t, synth(32, 100, 20, 1))
	b := ozmontest.StartStellarSim(t, synth(32, 100, 20, 1))
	a.InjectFault("getLedgers", ozmontest.Fault{Pruned: 110})
	b.InjectFault("getLedgers", ozmontest.Fault{HTTPStatus: http.StatusBadGateway})
	c := newClient(t, []string{a.URL(), b.URL()}, chain.WithRetries(3))
	_, err := c.Ledger(context.Background(), 105)
	if err == nil || errors.Is(err, ErrLedgerPruned) {
		t.Fatalf("want an outage (the down node may keep the ledger), got %v", err)
	}
	if !strings.Contains(err.Error(), "must be between the oldest ledger: 110") || !strings.Contains(err.Error(), "HTTP 502") {
		t.Fatalf("error %q should say both what each node answered", err)
	}
	if a.Calls("getLedgers") != 1 || b.Calls("getLedgers") != 3 {
		t.Fatalf("calls %d/%d, want 1 (pruned, not asked again) and 3 rounds", a.Calls("getLedgers"), b.Calls("getLedgers"))
	}
}
