package stellar

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/network"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

func newClient(t testing.TB, urls []string, opts ...chain.RPCOption) *Client {
	t.Helper()
	eps := make([]chain.Endpoint, len(urls))
	for i, u := range urls {
		eps[i] = chain.Endpoint{URL: u, Weight: len(urls) - i}
	}
	opts = append([]chain.RPCOption{chain.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := NewClient(eps, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func synth(seed int64, start uint32, n, txs int) ozmontest.SimOption {
	return ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: seed, StartLedger: start, Ledgers: n, TxPerLedger: txs})
}

// TestWalkOneCallPerLedger is ozmon's central promise: following the chain
// costs one getLedgers per ledger and nothing else.
func TestWalkOneCallPerLedger(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(11, 1000, 25, 30))
	c := newClient(t, []string{sim.URL()})
	ctx := context.Background()
	for seq := uint32(1000); seq < 1020; seq++ {
		l, err := c.Ledger(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := sim.LedgerXDR(seq)
		if l.Sequence != seq || !bytes.Equal(l.Meta, want) {
			t.Fatalf("ledger %d: got sequence %d, meta equal %v", seq, l.Sequence, bytes.Equal(l.Meta, want))
		}
		var lcm xdr.LedgerCloseMeta
		if err := xdr.SafeUnmarshal(l.Meta, &lcm); err != nil {
			t.Fatal(err)
		}
		h := lcm.LedgerHash()
		if l.Hash != hex.EncodeToString(h[:]) || !l.CloseTime.Equal(lcm.ClosedAt()) {
			t.Fatalf("ledger %d: hash %s / close time %v do not match the meta", seq, l.Hash, l.CloseTime)
		}
	}
	for method, want := range map[string]int{"getLedgers": 20, "getTransactions": 0, "getEvents": 0, "getLatestLedger": 0, "getHealth": 0} {
		if got := sim.Calls(method); got != want {
			t.Errorf("%s called %d times, want %d", method, got, want)
		}
	}
}

func TestCatchUpBatchIsOneCall(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(12, 500, 30, 5))
	c := newClient(t, []string{sim.URL()})
	ls, err := c.Ledgers(context.Background(), 505, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 20 || ls[0].Sequence != 505 || ls[19].Sequence != 524 {
		t.Fatalf("%d ledgers", len(ls))
	}
	if got := sim.Calls("getLedgers"); got != 1 {
		t.Fatalf("%d getLedgers calls for a batch of 20, want 1", got)
	}
}

func TestLedgersAtTheTip(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(13, 100, 10, 2), ozmontest.SimInitialTip(104))
	c := newClient(t, []string{sim.URL()})
	ctx := context.Background()
	ls, err := c.Ledgers(ctx, 102, 20)
	if err != nil || len(ls) != 3 {
		t.Fatalf("near the tip: %d ledgers, %v", len(ls), err)
	}
	_, err = c.Ledger(ctx, 105)
	if !errors.Is(err, ErrLedgerAhead) || errors.Is(err, ErrLedgerPruned) {
		t.Fatalf("ledger past the tip: %v", err)
	}
	if _, err := sim.Advance(1); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Ledger(ctx, 105); err != nil || l.Sequence != 105 {
		t.Fatalf("after the tip moved: %v", err)
	}
}

func TestLedgersArgs(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(13, 100, 2, 1))
	c := newClient(t, []string{sim.URL()})
	for _, tc := range []struct {
		start uint32
		limit int
	}{{100, 0}, {100, 201}, {0, 1}, {100, -1}} {
		if _, err := c.Ledgers(context.Background(), tc.start, tc.limit); err == nil {
			t.Errorf("Ledgers(%d, %d) accepted", tc.start, tc.limit)
		}
	}
	if sim.Calls("getLedgers") != 0 {
		t.Fatal("invalid arguments reached the node")
	}
}

func TestHealthAndNetwork(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(14, 70, 8, 1), ozmontest.SimInitialTip(75), ozmontest.SimRetention(500))
	c := newClient(t, []string{sim.URL()})
	ctx := context.Background()
	h, err := c.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != "healthy" || h.LatestLedger != 75 || h.OldestLedger != 70 || h.RetentionWindow != 500 {
		t.Fatalf("health %+v", h)
	}
	want := time.Date(2026, 1, 1, 0, 0, 25, 0, time.UTC) // synthetic ledgers close every 5 s
	if !h.LatestLedgerCloseTime.Equal(want) {
		t.Fatalf("latest close time %v, want %v", h.LatestLedgerCloseTime, want)
	}
	n, err := c.network(ctx)
	if err != nil || n.Passphrase != network.TestNetworkPassphrase || n.ProtocolVersion != ozmontest.SyntheticProtocol {
		t.Fatalf("network %+v %v", n, err)
	}
	if sim.Calls("getLatestLedger") != 0 {
		t.Fatal("getLatestLedger was called")
	}
}

func TestContractWASMAndSAC(t *testing.T) {
	t.Parallel()
	const seed = 15
	sim := ozmontest.StartStellarSim(t, synth(seed, 10, 1, 1))
	ids := ozmontest.SyntheticIDs(seed, "")
	c := newClient(t, []string{sim.URL()})
	ctx := context.Background()

	wasm, err := c.contractWASM(ctx, ids.App)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wasm, ozmontest.SyntheticAppWASM()) {
		t.Fatal("WASM differs from the synthetic app's")
	}
	if sim.Calls("getLedgerEntries") != 2 {
		t.Fatalf("%d getLedgerEntries calls, want 2 (instance, code)", sim.Calls("getLedgerEntries"))
	}
	if _, err := c.ContractSpec(ctx, ids.Token); !errors.Is(err, ErrNoContractSpec) || !strings.Contains(err.Error(), ids.Token) {
		t.Fatalf("SAC spec: %v", err)
	}
	if _, err := c.ContractSpec(ctx, ids.Native); !errors.Is(err, ErrContractNotFound) {
		t.Fatalf("undeployed contract: %v", err)
	}
	if _, err := c.ContractSpec(ctx, ids.Accounts[0]); err == nil {
		t.Fatal("a G… account accepted as a contract")
	}
}

func TestLedgerEntriesLimits(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartStellarSim(t, synth(16, 10, 1, 1))
	c := newClient(t, []string{sim.URL()})
	if es, err := c.ledgerEntries(context.Background(), nil); err != nil || es != nil {
		t.Fatalf("no keys: %v %v", es, err)
	}
	keys := make([]xdr.LedgerKey, 201)
	if _, err := c.ledgerEntries(context.Background(), keys); err == nil {
		t.Fatal("201 keys accepted")
	}
}

func TestMainnetLedgers(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "stellar", "mainnet")
	sim := ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(dir))
	c := newClient(t, []string{sim.URL()})
	ls, err := c.Ledgers(context.Background(), 63092982, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 20 || ls[19].Sequence != 63093001 || sim.Calls("getLedgers") != 1 {
		t.Fatalf("%d ledgers in %d calls", len(ls), sim.Calls("getLedgers"))
	}
	for _, l := range ls {
		want, _ := sim.LedgerXDR(l.Sequence)
		if !bytes.Equal(l.Meta, want) {
			t.Fatalf("ledger %d differs from its file", l.Sequence)
		}
	}
	if got := ls[0].CloseTime.Format(time.DateOnly); got != "2026-06-19" {
		t.Fatalf("close date %s", got)
	}
	n, err := c.network(context.Background())
	if err != nil || n.Passphrase != network.PublicNetworkPassphrase {
		t.Fatalf("network %+v %v", n, err)
	}
}

// networkInfo is a node's getNetwork answer.
type networkInfo struct {
	Passphrase      string
	ProtocolVersion int
	FriendbotURL    string
}

// network calls getNetwork.
func (c *Client) network(ctx context.Context) (networkInfo, error) {
	var r protocol.GetNetworkResponse
	check := func() error {
		if r.Passphrase == "" {
			return errors.New("getNetwork answer has no passphrase")
		}
		return nil
	}
	if err := c.call(ctx, protocol.GetNetworkMethodName, 0, nil, &r, check); err != nil {
		return networkInfo{}, err
	}
	return networkInfo{Passphrase: r.Passphrase, ProtocolVersion: r.ProtocolVersion, FriendbotURL: r.FriendbotURL}, nil
}
