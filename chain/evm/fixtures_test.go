package evm

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
)

// ozFixtures reads OpenZeppelin Monitor's EVM blocks and receipts.
func ozFixtures(tb testing.TB) (blocks, receipts []byte) {
	tb.Helper()
	dir := testkit.SharedPath(tb, "testdata", "ozmonitor", "evm")
	var err error
	if blocks, err = os.ReadFile(filepath.Join(dir, "blocks.json")); err != nil {
		tb.Fatal(err)
	}
	if receipts, err = os.ReadFile(filepath.Join(dir, "transaction_receipts.json")); err != nil {
		tb.Fatal(err)
	}
	return blocks, receipts
}

func ozSpec(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(testkit.SharedPath(tb, "testdata", "ozmonitor", "evm", "contract_specs", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fastClient is a client over urls with short timeouts and backoff.
func fastClient(tb testing.TB, urls ...string) *Client {
	tb.Helper()
	eps := make([]chain.Endpoint, len(urls))
	for i, u := range urls {
		eps[i] = chain.Endpoint{URL: u, Weight: 100 - i}
	}
	c, err := NewClient(eps, chain.WithCallTimeout(500*time.Millisecond), chain.WithRetries(2),
		chain.WithBackoff(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
