package evm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// deadURL is the URL of a server that has been shut down.
func deadURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func TestClientFailover(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault *ozmontest.Fault // on the first sim; nil: the first endpoint is down
	}{
		{"down", nil},
		{"429", &ozmontest.Fault{HTTPStatus: http.StatusTooManyRequests}},
		{"503", &ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable}},
		{"slow", &ozmontest.Fault{Delay: 3 * time.Second}},
		{"json-rpc error", &ozmontest.Fault{Code: -32000, Message: "header not found"}},
		{"garbage", &ozmontest.Fault{Body: []byte("<html>gateway</html>")}},
		{"no result", &ozmontest.Fault{Body: []byte(`{"jsonrpc":"2.0","id":1}`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			second := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Blocks: 2, TxPerBlock: 3}))
			first := deadURL(t)
			var firstSim *ozmontest.EVMSim
			if c.fault != nil {
				firstSim = ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Blocks: 2, TxPerBlock: 3}))
				firstSim.InjectFault("*", *c.fault)
				first = firstSim.URL()
			}
			var mu sync.Mutex
			var observed []string
			c2, err := NewClient([]chain.Endpoint{{URL: second.URL(), Weight: 50}, {URL: first, Weight: 100}},
				chain.WithCallTimeout(300*time.Millisecond), chain.WithBackoff(time.Millisecond, 5*time.Millisecond),
				chain.WithCallObserver(func(method, ep string, err error) {
					mu.Lock()
					defer mu.Unlock()
					observed = append(observed, method+"@"+ep+"="+errString(err))
				}))
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			src := &Source{Client: c2, Network: "synth"}
			b, err := src.FetchBlock(context.Background(), second.Tip())
			if err != nil {
				t.Fatalf("fetch with the first endpoint failing: %v", err)
			}
			if b.Ledger != second.Tip() || len(b.Transactions) != 3 {
				t.Fatalf("block %+v", b)
			}
			if second.Calls("eth_getBlockByNumber") != 1 || second.Calls("eth_getLogs") != 1 {
				t.Fatalf("second endpoint calls %d/%d, want 1/1", second.Calls("eth_getBlockByNumber"), second.Calls("eth_getLogs"))
			}
			if firstSim != nil && firstSim.Calls("eth_getBlockByNumber") != 1 {
				t.Fatalf("first endpoint asked %d times, want once", firstSim.Calls("eth_getBlockByNumber"))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(observed) < 3 || !strings.HasSuffix(observed[0], "=fail") || !strings.HasSuffix(observed[1], "=ok") {
				t.Fatalf("observed %v, want a failure then successes", observed)
			}
		})
	}
}

func errString(err error) string {
	if err != nil {
		return "fail"
	}
	return "ok"
}

func TestClientAllDownIsBounded(t *testing.T) {
	t.Parallel()
	c, err := NewClient([]chain.Endpoint{{URL: deadURL(t), Weight: 1}, {URL: deadURL(t), Weight: 1}},
		chain.WithRetries(3), chain.WithBackoff(5*time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Block(context.Background(), 7)
	if err == nil || !strings.Contains(err.Error(), "all 2 endpoints failed (3 rounds)") || !strings.Contains(err.Error(), "block 7") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.BlockNumber(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestClientRedactsURLs(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Blocks: 1}))
	sim.InjectFault("*", ozmontest.Fault{HTTPStatus: 500})
	url := sim.URL() + "/v2/abcdef0123456789abcdef?apikey=s3cret"
	c, err := NewClient([]chain.Endpoint{{URL: url, Weight: 1}}, chain.WithRetries(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.BlockNumber(context.Background())
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "abcdef0123456789abcdef") ||
		!strings.Contains(err.Error(), "REDACTED") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err = %v", err)
	}
	if eps := c.rpc.Endpoints(); len(eps) != 1 || strings.Contains(eps[0], "s3cret") {
		t.Fatalf("Endpoints() = %v", eps)
	}
	if _, err := NewClient([]chain.Endpoint{{URL: url, Weight: 0}}); err == nil {
		t.Fatal("client without a positive weight accepted")
	}
}

// TestClientGarbage: malformed answers are errors naming what is wrong,
// never panics.
func TestClientGarbage(t *testing.T) {
	t.Parallel()
	const okTx = `{"hash":"0x` + h64 + `","transactionIndex":"0x0","from":"0x` + h40 + `","to":null,"value":"0x1","input":"0x","nonce":"0x0","gas":"0x5208"}`
	block := func(txs string) string {
		return `{"jsonrpc":"2.0","id":1,"result":{"number":"0x7","hash":"0x` + h64 + `","parentHash":"0x` + h64 + `","timestamp":"0x1","transactions":[` + txs + `]}}`
	}
	cases := []struct{ name, body, want string }{
		{"not json", "garbage", "invalid JSON-RPC response"},
		{"truncated", `{"jsonrpc":"2.0","id":1,"result":{"number":`, "invalid JSON-RPC response"},
		{"result is a number", `{"jsonrpc":"2.0","id":1,"result":5}`, "decode block"},
		{"bad number", `{"jsonrpc":"2.0","id":1,"result":{"number":"zz"}}`, "quantity"},
		{"other block", strings.Replace(block(""), `"0x7"`, `"0x8"`, 1), "got 8"},
		{"hash-only txs", block(`"0x` + h64 + `"`), "transactions are hashes"},
		{"bad from", block(strings.Replace(okTx, "0x"+h40, "0x12", 1)), "from"},
		{"value overflow", block(strings.Replace(okTx, `"value":"0x1"`, `"value":"0x1`+strings.Repeat("0", 64)+`"`, 1)), "overflows 256 bits"},
		{"bad input", block(strings.Replace(okTx, `"input":"0x"`, `"input":"0xzz"`, 1)), "input"},
		{"tx not object", block(`[1,2]`), "transaction 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cl, err := NewClient([]chain.Endpoint{{URL: srv.URL, Weight: 1}}, chain.WithRetries(1))
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.Block(context.Background(), 7)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
	// The valid version of the same block decodes (the cases test what they mean to).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(block(okTx)))
	}))
	defer srv.Close()
	cl, _ := NewClient([]chain.Endpoint{{URL: srv.URL, Weight: 1}}, chain.WithRetries(1))
	b, err := cl.Block(context.Background(), 7)
	if err != nil || len(b.Transactions) != 1 || b.Transactions[0].EVM.To != "" || b.Transactions[0].EVM.Value != "1" {
		t.Fatalf("valid block: %+v, %v", b, err)
	}
}

const (
	h64 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	h40 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)
