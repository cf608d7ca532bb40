package evm

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
)

// blockPrefix opens an eth_getBlockByNumber answer whose input never ends.
const blockPrefix = `{"jsonrpc":"2.0","id":1,"result":{"number":"0x5","transactions":[{"input":"0x`

func hostileClient(t testing.TB, url string, opts ...chain.RPCOption) *Client {
	t.Helper()
	c, err := NewClient([]chain.Endpoint{{URL: url, Weight: 1}}, append([]chain.RPCOption{chain.WithRetries(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestBlockAnswerOverCap: an endless block answer fails at the cap with a
// short error naming the method, the block, the endpoint and the cap.
func TestBlockAnswerOverCap(t *testing.T) {
	t.Parallel()
	srv := testkit.StartOversizedRPC(t, blockPrefix, 100<<20)
	c := hostileClient(t, srv.URL, chain.WithMaxResponseBytes(4<<20))
	_, err := c.Block(context.Background(), 5)
	testkit.CheckBoundedError(t, err, chain.ErrResponseTooLarge, 1024, "eth_getBlockByNumber block 5", srv.URL, "larger than 4194304 bytes")
}

// BenchmarkOversizedBlockAnswer is the hostile endpoint of #12: a 600 MB
// answer to eth_getBlockByNumber. peak-heap-MB is the live heap it costs
// at the default 64 MiB cap (sampled; a figure, not an assertion).
func BenchmarkOversizedBlockAnswer(b *testing.B) {
	srv := testkit.StartOversizedRPC(b, blockPrefix, 600<<20)
	c := hostileClient(b, srv.URL)
	testkit.ReportPeakHeap(b, func() error {
		_, err := c.Block(context.Background(), 5)
		return err
	})
}
