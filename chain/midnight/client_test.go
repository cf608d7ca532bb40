package midnight_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/ozmontest"
)

const (
	bulletin = "020200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"
	txA      = "1000000000000000000000000000000000000000000000000000000000000001"
	txB      = "2000000000000000000000000000000000000000000000000000000000000002"
)

func newClient(t *testing.T, eps []chain.Endpoint, opts ...midnight.Option) *midnight.Client {
	t.Helper()
	c, err := midnight.NewClient(eps, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func fixtureSim(t *testing.T) *ozmontest.MidnightSim {
	t.Helper()
	sim := ozmontest.StartMidnightSim(t)
	data, err := os.ReadFile("testdata/blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.LoadFixtures(data, nil); err != nil {
		t.Fatal(err)
	}
	return sim
}

// The fixture's block 11243 comes through the Source exactly: number,
// hashes, timestamp, the one transaction with its Call and GuaranteedCoins,
// the chain name; no applied event, so the transaction failed (QM3).
func TestSourceFixtureBlock(t *testing.T) {
	t.Parallel()
	sim := fixtureSim(t)
	src := &midnight.Source{Client: newClient(t, []chain.Endpoint{{URL: sim.URL(), Weight: 1}}), Network: "midnight_testnet"}
	ctx := context.Background()
	tip, err := src.Tip(ctx)
	if err != nil || tip != 0x130987 {
		t.Fatalf("tip = %d, %v", tip, err)
	}
	b, err := src.FetchBlock(ctx, 11243)
	if err != nil {
		t.Fatal(err)
	}
	if b.Chain != chain.Midnight || b.Ledger != 11243 || b.Hash != sim.Hash(11243) ||
		b.ParentHash != "0x6c5121dae1ec2a1368bd40c26a6423ab532650c85f77186483a10d1870a70efc" ||
		!b.CloseTime.Equal(time.UnixMilli(1747144764000)) || b.Midnight.ChainName != "testnet-02-1" {
		t.Fatalf("block = %+v %+v", b, b.Midnight)
	}
	if len(b.Transactions) != 1 {
		t.Fatalf("%d transactions", len(b.Transactions))
	}
	tx := b.Transactions[0]
	if tx.Hash != "84502ac6e24d003fdc72c4eaaf8f2ba549e45a1a6fb16fac1204410f67749661" || tx.Success || tx.Index != 1 {
		t.Errorf("tx = %+v", tx)
	}
	ops := tx.Midnight.Operations
	if len(ops) != 2 || ops[0].Kind != chain.MidnightCall || ops[0].Address != bulletin || ops[1].Kind != chain.MidnightGuaranteedCoins {
		t.Errorf("operations = %+v", ops)
	}
	if name, _ := ops[0].EntryPointName(); name != "take_down" {
		t.Errorf("entry point = %q", name)
	}
	if got := b.Contracts(); len(got) != 1 || got[0] != bulletin[6:] {
		t.Errorf("contracts = %q", got)
	}
	// UnknownTransaction items are skipped, the timestamp kept.
	b2, err := src.FetchBlock(ctx, 0x13097f)
	if err != nil || len(b2.Transactions) != 0 || b2.CloseTime.UnixMilli() != 1745314194000 {
		t.Fatalf("block 0x13097f = %+v, %v", b2, err)
	}
	// system_chain is asked once per client.
	if n := sim.Calls("system_chain"); n != 1 {
		t.Errorf("system_chain called %d times", n)
	}
	if _, err := src.FetchBlock(ctx, 99); !errors.Is(err, midnight.ErrBlockNotFound) {
		t.Errorf("missing block: %v", err)
	}
}

// Statuses come from the block's events: applied transactions succeed,
// others fail; the calls per block are the spec's four (plus system_chain
// once).
func TestSourceStatusesAndCalls(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartMidnightSim(t)
	sim.AddBlock(5, ozmontest.MidnightSimTx{Hash: txA, Applied: true, Calls: []ozmontest.MidnightSimCall{{Address: bulletin, Name: "post"}}},
		ozmontest.MidnightSimTx{Hash: txB})
	src := &midnight.Source{Client: newClient(t, []chain.Endpoint{{URL: sim.URL(), Weight: 1}}), Network: "m"}
	b, err := src.FetchBlock(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transactions) != 2 || !b.Transactions[0].Success || b.Transactions[1].Success {
		t.Fatalf("statuses: %+v", b.Transactions)
	}
	if ev := b.Midnight.Events; len(ev) != 1 || ev[0].Kind != chain.MidnightEventTxApplied || ev[0].TxHash != txA {
		t.Errorf("events = %+v", ev)
	}
	for _, m := range []string{"chain_getBlockHash", "midnight_jsonBlock", "state_getStorage", "midnight_decodeEvents", "system_chain"} {
		if n := sim.Calls(m); n != 1 {
			t.Errorf("%s called %d times", m, n)
		}
	}
	// A node that cannot decode the events answers an error: no events,
	// every transaction failed (QM3), the reason kept.
	sim.InjectFault("midnight_decodeEvents", ozmontest.MidnightFault{Code: -32603, Message: "decode failed"})
	b, err = src.FetchBlock(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if b.Transactions[0].Success || !strings.Contains(b.Midnight.EventsError, "decode failed") {
		t.Errorf("undecodable events: %+v %+v", b.Transactions[0], b.Midnight)
	}
}

func twoSims(t *testing.T) (a, b *ozmontest.MidnightSim, eps []chain.Endpoint) {
	t.Helper()
	a, b = ozmontest.StartMidnightSim(t), ozmontest.StartMidnightSim(t)
	for _, s := range []*ozmontest.MidnightSim{a, b} {
		s.AddBlock(7, ozmontest.MidnightSimTx{Hash: txA, Applied: true})
	}
	// b is listed first but weighs less: a is tried first.
	return a, b, []chain.Endpoint{{URL: b.URL(), Weight: 50}, {URL: a.URL(), Weight: 100}, {URL: "https://not-ws.example", Weight: 200}}
}

// A dropped connection rotates to the next endpoint by weight and retries
// there.
func TestRotateOnClose(t *testing.T) {
	t.Parallel()
	a, b, eps := twoSims(t)
	a.InjectFault("chain_getBlockHash", ozmontest.MidnightFault{Drop: true})
	c := newClient(t, eps)
	h, err := c.BlockHash(context.Background(), 7)
	if err != nil || h != b.Hash(7) {
		t.Fatalf("hash = %q, %v", h, err)
	}
	if a.Calls("chain_getBlockHash") != 1 || b.Calls("chain_getBlockHash") != 1 {
		t.Errorf("calls a=%d b=%d", a.Calls("chain_getBlockHash"), b.Calls("chain_getBlockHash"))
	}
	// The client stays on b: the next call opens no new connection.
	if _, err := c.BlockHash(context.Background(), 7); err != nil || b.Connections() != 1 || b.Calls("chain_getBlockHash") != 2 {
		t.Errorf("second call: %v, b connections %d", err, b.Connections())
	}
}

// A silent endpoint is left after the message timeout.
func TestRotateOnTimeout(t *testing.T) {
	t.Parallel()
	a, b, eps := twoSims(t)
	a.InjectFault("*", ozmontest.MidnightFault{Hang: true})
	c := newClient(t, eps, midnight.WithMessageTimeout(200*time.Millisecond))
	h, err := c.BlockHash(context.Background(), 7)
	if err != nil || h != b.Hash(7) {
		t.Fatalf("hash = %q, %v", h, err)
	}
	if a.Calls("chain_getBlockHash") != 1 {
		t.Errorf("a asked %d times", a.Calls("chain_getBlockHash"))
	}
	// Every endpoint silent: the call fails naming the method and the
	// last endpoint.
	b.InjectFault("*", ozmontest.MidnightFault{Hang: true})
	_, err = c.BlockHash(context.Background(), 7)
	if err == nil || !strings.Contains(err.Error(), "chain_getBlockHash block 7") || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Errorf("all silent: %v", err)
	}
}

// A JSON-RPC error answer is the node's answer: returned, no rotation
// (QM8).
func TestNoRotationOnErrorAnswer(t *testing.T) {
	t.Parallel()
	a, b, eps := twoSims(t)
	a.InjectFault("chain_getBlockHash", ozmontest.MidnightFault{Code: -32602, Message: "invalid params"})
	c := newClient(t, eps)
	_, err := c.BlockHash(context.Background(), 7)
	var rpcErr *midnight.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != -32602 || !strings.Contains(err.Error(), "invalid params") {
		t.Fatalf("err = %v", err)
	}
	if b.Calls("chain_getBlockHash") != 0 || b.Connections() != 0 {
		t.Errorf("rotated to b on an error answer")
	}
}

// A frame answering another id is skipped; the answer to ours is used.
func TestForeignFramesSkipped(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartMidnightSim(t)
	sim.AddBlock(3)
	sim.InjectFault("chain_getBlockHash", ozmontest.MidnightFault{Foreign: true})
	c := newClient(t, []chain.Endpoint{{URL: sim.URL(), Weight: 1}})
	for range 3 {
		h, err := c.BlockHash(context.Background(), 3)
		if err != nil || h != sim.Hash(3) {
			t.Fatalf("hash = %q, %v", h, err)
		}
	}
	if sim.Connections() != 1 {
		t.Errorf("%d connections", sim.Connections())
	}
}

// Concurrent calls are serialised on one connection, each gets its own
// answer.
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartMidnightSim(t)
	for n := uint64(1); n <= 20; n++ {
		sim.AddBlock(n)
	}
	c := newClient(t, []chain.Endpoint{{URL: sim.URL(), Weight: 1}})
	errs := make(chan error, 20)
	for n := uint64(1); n <= 20; n++ {
		go func() {
			h, err := c.BlockHash(context.Background(), n)
			if err == nil && h != sim.Hash(n) {
				err = errors.New("wrong hash for block " + h)
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if sim.Connections() != 1 {
		t.Errorf("%d connections", sim.Connections())
	}
}

func TestNewClientNoEndpoint(t *testing.T) {
	t.Parallel()
	_, err := midnight.NewClient([]chain.Endpoint{{URL: "https://x", Weight: 1}, {URL: "ws://y", Weight: 0}})
	if !errors.Is(err, midnight.ErrNoEndpoint) || err.Error() != "midnight rpc: no WebSocket URLs available" {
		t.Errorf("err = %v", err)
	}
}

// DecodeEvent keeps the seven kinds and makes anything else Unknown.
func TestDecodeEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, kind, hash, addr string
	}{
		{`{"MidnightTxApplied":{"phase":{"ApplyExtrinsic":0},"topics":{"topics":[]},"tx_hash":"0xAB"}}`, chain.MidnightEventTxApplied, "ab", ""},
		{`{"MidnightOnlyGuaranteedTxApplied":{"phase":"Finalization","topics":{"topics":[]},"tx_hash":"cd"}}`, chain.MidnightEventOnlyGuaranteedTxApplied, "cd", ""},
		{`{"MidnightCallContract":{"phase":"Initialization","topics":{"topics":[]},"address":"` + bulletin + `","tx_hash":"01"}}`, chain.MidnightEventCallContract, "01", bulletin[6:]},
		{`{"MidnightDeployContract":{"phase":"Initialization","topics":{"topics":[]},"address":"aa","tx_hash":"02"}}`, chain.MidnightEventDeployContract, "02", "aa"},
		{`{"MidnightMaintainContract":{"phase":"Initialization","topics":{"topics":[]},"address":"bb","tx_hash":"03"}}`, chain.MidnightEventMaintainContract, "03", "bb"},
		{`{"MidnightPayoutMinted":{"phase":"Finalization","topics":{"topics":[]},"amount":5,"receiver":"r"}}`, chain.MidnightEventPayoutMinted, "", ""},
		{`{"MidnightClaimMint":{"phase":"Finalization","topics":{"topics":[]},"coin_type":"00","value":1,"tx_hash":"04"}}`, chain.MidnightEventClaimMint, "04", ""},
		{`{"MidnightTxApplied":{"phase":{"ApplyExtrinsic":0}}}`, chain.MidnightEventUnknown, "", ""},
		{`{"SomethingElse":{}}`, chain.MidnightEventUnknown, "", ""},
		{`"Finalization"`, chain.MidnightEventUnknown, "", ""},
	}
	for _, c := range cases {
		ev := midnight.DecodeEvent(json.RawMessage(c.in))
		if ev.Kind != c.kind || ev.TxHash != c.hash || ev.Address != c.addr || string(ev.Raw) != c.in {
			t.Errorf("%s: got %+v", c.in, ev)
		}
	}
}

// QM5, our fix: a transaction whose hash is not 32 bytes of hex is dropped
// alone; the block's other transactions stay.
func TestDecodeBlockBadHashSkipsOnlyThatTransaction(t *testing.T) {
	t.Parallel()
	blk := `{"header":{"parentHash":"0x01","number":"0x9"},"body":[{"Timestamp":9000},
	  {"MidnightTransaction":{"tx":{"tx_hash":"nothex","operations":[],"identifiers":[]}}},
	  {"MidnightTransaction":{"tx":{"tx_hash":"abcd","operations":[],"identifiers":[]}}},
	  "MalformedMidnightTransaction","RuntimeUpgrade",
	  {"MidnightTransaction":{"tx":{"tx_hash":"0x` + strings.ToUpper(txA) + `","operations":["FallibleCoins"],"identifiers":[]}}}]}`
	b, err := midnight.DecodeBlock("m", "0xAA", []byte(blk))
	if err != nil {
		t.Fatal(err)
	}
	if b.Ledger != 9 || b.Hash != "0xaa" || len(b.Transactions) != 1 || b.Transactions[0].Hash != txA || b.Transactions[0].Index != 1 {
		t.Fatalf("block = %+v", b)
	}
	if _, err := midnight.DecodeBlock("m", "0x", []byte(`[`)); err == nil || !strings.Contains(err.Error(), "decode block JSON") {
		t.Errorf("garbage: %v", err)
	}
	// An unparsable number reads 0, as in OpenZeppelin Monitor.
	if b, err := midnight.DecodeBlock("m", "0x", []byte(`{"header":{"number":"zz"},"body":[]}`)); err != nil || b.Ledger != 0 {
		t.Errorf("bad number: %+v %v", b, err)
	}
}

// MID12: chain names map to network ids.
func TestNetworkID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"testnet-02-1": "TestNet", "mainnet-02-1": "MainNet", "devnet-02-1": "DevNet", "custom-02-1": "Undeployed"} {
		if got := midnight.NetworkID(in); got != want {
			t.Errorf("NetworkID(%q) = %q, want %q", in, got, want)
		}
	}
}
