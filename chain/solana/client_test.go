package solana

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
)

// node is a scripted JSON-RPC endpoint: each request gets the next body
// of its method's script (the last one repeats), and every request body is
// kept.
type node struct {
	srv *httptest.Server

	mu      sync.Mutex
	scripts map[string][]string // method → response bodies (or "HTTP 503")
	bodies  []string
}

func newNode(t *testing.T, scripts map[string][]string) *node {
	t.Helper()
	n := &node{scripts: scripts}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n.mu.Lock()
		n.bodies = append(n.bodies, string(body))
		method := ""
		if i := strings.Index(string(body), `"method":"`); i >= 0 {
			rest := string(body)[i+10:]
			method = rest[:strings.IndexByte(rest, '"')]
		}
		script := n.scripts[method]
		var answer string
		if len(script) > 0 {
			answer = script[0]
			if len(script) > 1 {
				n.scripts[method] = script[1:]
			}
		}
		n.mu.Unlock()
		if answer == "" {
			http.Error(w, "no script", http.StatusNotFound)
			return
		}
		if strings.HasPrefix(answer, "HTTP ") {
			http.Error(w, answer, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(n.srv.Close)
	return n
}

func (n *node) calls() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.bodies...)
}

func result(v string) string { return `{"jsonrpc":"2.0","id":1,"result":` + v + `}` }
func rpcError(code int, msg string) string {
	return `{"jsonrpc":"2.0","id":1,"error":{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `"}}`
}
func fastClient(t *testing.T, urls ...string) *Client {
	t.Helper()
	eps := make([]chain.Endpoint, len(urls))
	for i, u := range urls {
		eps[i] = chain.Endpoint{URL: u, Weight: 100 - i}
	}
	c, err := NewClient(eps, chain.WithBackoff(time.Millisecond, 2*time.Millisecond), chain.WithCallTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// SOL114: getSlot answers a number, or fails with "invalid slot number".
func TestSlot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := newNode(t, map[string][]string{"getSlot": {result("123456789")}})
	got, err := fastClient(t, n.srv.URL).Slot(ctx)
	if err != nil || got != 123456789 {
		t.Fatalf("Slot = %d, %v", got, err)
	}
	if body := n.calls()[0]; !strings.Contains(body, `"params":[{"commitment":"finalized"}]`) {
		t.Errorf("getSlot body %s", body)
	}
	for _, bad := range []string{`{"jsonrpc":"2.0","id":1}`, result(`"invalid"`), result(`-1`), result(`1.5`)} {
		n := newNode(t, map[string][]string{"getSlot": {bad}})
		if _, err := fastClient(t, n.srv.URL).Slot(ctx); err == nil {
			t.Errorf("%s: no error", bad)
		} else if bad != `{"jsonrpc":"2.0","id":1}` && !strings.Contains(err.Error(), "invalid slot number") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// SOL140 (with rewards off) and SOL116/SOL117: one getBlock per slot with
// the exact params.
func TestBlockParamsAndOneCall(t *testing.T) {
	t.Parallel()
	n := newNode(t, map[string][]string{"getBlock": {result(blockJSON(txJSON("s", `["`+tokenProgram+`"]`, `[{"programIdIndex":0,"accounts":[],"data":""}]`, okMeta)))}})
	b, err := fastClient(t, n.srv.URL).Block(context.Background(), "solana_devnet", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transactions) != 1 || b.Ledger != 100 {
		t.Fatalf("block %+v", b)
	}
	calls := n.calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	want := `"params":[100,{"encoding":"json","transactionDetails":"full","rewards":false,"commitment":"finalized","maxSupportedTransactionVersion":0}]`
	if !strings.Contains(calls[0], want) || !strings.Contains(calls[0], `"method":"getBlock"`) {
		t.Errorf("body %s\nwant it to contain %s", calls[0], want)
	}
}

// SOL122 and QS15: −32007, −32009 and a null block are a skipped slot
// (one call per endpoint, no retry rounds); −32004 is retried and then
// served; any other error fails after the rounds.
func TestBlockSkippedAndRetryable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, answer := range []string{rpcError(-32007, "Slot 100 was skipped, or missing due to ledger jump to recent snapshot"),
		rpcError(-32009, "Slot 100 was skipped, or missing in long-term storage"), result("null")} {
		a, b := newNode(t, map[string][]string{"getBlock": {answer}}), newNode(t, map[string][]string{"getBlock": {answer}})
		_, err := fastClient(t, a.srv.URL, b.srv.URL).Block(ctx, "n", 100)
		if !errors.Is(err, ErrSlotSkipped) {
			t.Fatalf("%s: err %v, want ErrSlotSkipped", answer, err)
		}
		if len(a.calls()) != 1 || len(b.calls()) != 1 {
			t.Errorf("%s: %d+%d calls, want one per endpoint", answer, len(a.calls()), len(b.calls()))
		}
	}
	// Skipped at one endpoint, down at the other: an outage, not a skip.
	a := newNode(t, map[string][]string{"getBlock": {rpcError(-32007, "skipped")}})
	down := newNode(t, map[string][]string{"getBlock": {"HTTP 503"}})
	if _, err := fastClient(t, a.srv.URL, down.srv.URL).Block(ctx, "n", 100); err == nil || errors.Is(err, ErrSlotSkipped) {
		t.Errorf("half skipped: %v, want an outage error", err)
	}

	n := newNode(t, map[string][]string{"getBlock": {rpcError(-32004, "Block not available for slot 100"), result(blockJSON())}})
	if _, err := fastClient(t, n.srv.URL).Block(ctx, "n", 100); err != nil {
		t.Errorf("-32004 then a block: %v", err)
	}
	if len(n.calls()) != 2 {
		t.Errorf("-32004: %d calls, want 2 (retried)", len(n.calls()))
	}
	n = newNode(t, map[string][]string{"getBlock": {rpcError(-32004, "Block not available for slot 100")}})
	_, err := fastClient(t, n.srv.URL).Block(ctx, "n", 100)
	if err == nil || errors.Is(err, ErrSlotSkipped) || !strings.Contains(err.Error(), "-32004") {
		t.Errorf("-32004 throughout: %v, want a retryable failure naming the code", err)
	}
	n = newNode(t, map[string][]string{"getBlock": {rpcError(-32600, "invalid request")}})
	if _, err := fastClient(t, n.srv.URL).Block(ctx, "n", 100); err == nil || errors.Is(err, ErrSlotSkipped) {
		t.Errorf("-32600: %v", err)
	}
}

// SOL119 and hostile answers: no result, garbage, a non-object, and a
// block over the size cap; each fails naming the slot (and the next
// endpoint is tried).
func TestBlockHostileAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, bad := range []string{`{"jsonrpc":"2.0","id":1}`, `<html>gateway</html>`, result(`[1,2]`), result(`{"transactions":"many"}`),
		result(`{"blockhash":"` + strings.Repeat("A", 1<<20) + `"}`)} {
		n := newNode(t, map[string][]string{"getBlock": {bad}})
		c, err := NewClient([]chain.Endpoint{{URL: n.srv.URL, Weight: 1}}, chain.WithRetries(1), chain.WithMaxResponseBytes(512<<10))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Block(ctx, "n", 42)
		if err == nil || errors.Is(err, ErrSlotSkipped) || !strings.Contains(err.Error(), "slot 42") {
			t.Errorf("%.40s: err %v", bad, err)
		}
		if len(err.Error()) > 4096 {
			t.Errorf("%.40s: error is %d bytes long", bad, len(err.Error()))
		}
	}
	big := newNode(t, map[string][]string{"getBlock": {result(`{"blockhash":"` + strings.Repeat("A", 1<<20) + `"}`)}})
	c, _ := NewClient([]chain.Endpoint{{URL: big.srv.URL, Weight: 1}}, chain.WithMaxResponseBytes(512<<10))
	if _, err := c.Block(ctx, "n", 1); !errors.Is(err, chain.ErrResponseTooLarge) {
		t.Errorf("over the cap: %v, want ErrResponseTooLarge", err)
	}
}

// Failover: the first endpoint fails (503, garbage, JSON-RPC error), the
// second serves the block; the Source returns it.
func TestSourceFailover(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"HTTP 503", "garbage{", rpcError(-32005, "Node is unhealthy")} {
		a := newNode(t, map[string][]string{"getBlock": {first}, "getSlot": {first}})
		b := newNode(t, map[string][]string{"getBlock": {result(blockJSON())}, "getSlot": {result("777")}})
		src := &Source{Client: fastClient(t, a.srv.URL, b.srv.URL), Network: "net"}
		tip, err := src.Tip(context.Background())
		if err != nil || tip != 777 {
			t.Errorf("%s: tip %d %v", first, tip, err)
		}
		blk, err := src.FetchBlock(context.Background(), 100)
		if err != nil || blk.Hash != "BH" {
			t.Errorf("%s: block %+v %v", first, blk, err)
		}
	}
}

// A skipped slot is an empty, marked block for the pipeline, counted once.
func TestSourceSkippedSlot(t *testing.T) {
	t.Parallel()
	n := newNode(t, map[string][]string{"getBlock": {rpcError(-32007, "skipped")}})
	var counted []uint64
	src := &Source{Client: fastClient(t, n.srv.URL), Network: "net", OnSkipped: func(s uint64) { counted = append(counted, s) }}
	b, err := src.FetchBlock(context.Background(), 55)
	if err != nil {
		t.Fatal(err)
	}
	if b.Ledger != 55 || b.Network != "net" || b.Chain != chain.Solana || b.Solana == nil || !b.Solana.Skipped || b.Hash != "" || len(b.Transactions) != 0 {
		t.Errorf("skipped block = %+v", b)
	}
	if len(counted) != 1 || counted[0] != 55 {
		t.Errorf("OnSkipped calls %v", counted)
	}
	if len(n.calls()) != 1 {
		t.Errorf("%d calls", len(n.calls()))
	}
}
