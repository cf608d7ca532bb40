package stellar

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
)

// ledgersPrefix opens a getLedgers answer whose metadataXdr never ends.
const ledgersPrefix = `{"jsonrpc":"2.0","id":1,"result":{"latestLedger":7,"oldestLedger":1,"ledgers":[{"hash":"` +
	"0000000000000000000000000000000000000000000000000000000000000000" + `","sequence":5,"ledgerCloseTime":"1","metadataXdr":"`

// TestLedgerAnswerOverDefaultCap: a 100 MB getLedgers answer for one
// ledger (50 times the busiest mainnet one) fails at the default 16 MiB
// cap, with a short error naming the method, the ledger, the endpoint and
// the cap; before, the 512 MiB cap read it all.
func TestLedgerAnswerOverDefaultCap(t *testing.T) {
	t.Parallel()
	srv := testkit.StartOversizedRPC(t, ledgersPrefix, 100<<20)
	c := newClient(t, []string{srv.URL}, chain.WithRetries(1))
	_, err := c.Ledger(context.Background(), 5)
	testkit.CheckBoundedError(t, err, chain.ErrResponseTooLarge, 1024, "getLedgers ledger 5", srv.URL, "larger than 16777216 bytes")
}

// TestLedgersCapFollowsTheBatch: a getLedgers call's cap is one ledger's
// allowance plus a quarter of it per further ledger asked.
func TestLedgersCapFollowsTheBatch(t *testing.T) {
	t.Parallel()
	srv := testkit.StartOversizedRPC(t, ledgersPrefix, 200<<20)
	for _, tc := range []struct {
		opts  []chain.RPCOption
		limit int
		want  string
	}{
		{nil, 20, "larger than 96468992 bytes"}, // 16 MiB + 19 × 4 MiB
		{[]chain.RPCOption{WithMaxLedgerBytes(1 << 20)}, 1, "larger than 1048576 bytes"},
		{[]chain.RPCOption{WithMaxLedgerBytes(1 << 20)}, 3, "larger than 1572864 bytes"},
	} {
		c := newClient(t, []string{srv.URL}, append(tc.opts, chain.WithRetries(1))...)
		_, err := c.Ledgers(context.Background(), 5, tc.limit)
		testkit.CheckBoundedError(t, err, chain.ErrResponseTooLarge, 1024, tc.want)
	}
}

// BenchmarkOversizedLedgerAnswer is the hostile endpoint of #12: a 600 MB
// answer to getLedgers for one ledger. peak-heap-MB is the live heap it
// costs at the default caps (sampled; a figure, not an assertion).
func BenchmarkOversizedLedgerAnswer(b *testing.B) {
	srv := testkit.StartOversizedRPC(b, ledgersPrefix, 600<<20)
	c := newClient(b, []string{srv.URL}, chain.WithRetries(1))
	testkit.ReportPeakHeap(b, func() error {
		_, err := c.Ledger(context.Background(), 5)
		return err
	})
}

// TestHugeNumberErrorIsBounded: a 1 MB number as getHealth's latestLedger
// (encoding/json quotes it whole) gives a short error noting the cut.
func TestHugeNumberErrorIsBounded(t *testing.T) {
	t.Parallel()
	srv := testkit.StartOversizedRPC(t, `{"jsonrpc":"2.0","id":1,"result":{"status":"healthy","latestLedger":1`+strings.Repeat("0", 1<<20)+`}}`, 0)
	_, err := newClient(t, []string{srv.URL}, chain.WithRetries(1)).Health(context.Background())
	if err == nil || len(err.Error()) > 1024 || !strings.Contains(err.Error(), "bytes)") {
		t.Fatalf("error of %d bytes, want a short one noting the cut: %.300v", len(fmt.Sprint(err)), err)
	}
}
