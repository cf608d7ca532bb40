package dryrun

import (
	"context"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

const failedTxs = `{"name":"Failed txs","paused":false,"networks":["stellar_mainnet"],"addresses":[],
	"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":[]}`

func mainnet(t *testing.T) (*ozconfig.Monitor, *ozconfig.Network, string) {
	t.Helper()
	mon, err := ozconfig.ParseMonitor("failed.json", []byte(failedTxs))
	if err != nil {
		t.Fatal(err)
	}
	netw, ok := ozconfig.BuiltinNetwork("stellar_mainnet")
	if !ok {
		t.Fatal("no built-in stellar_mainnet")
	}
	return mon, netw, testkit.SharedPath(t, "testdata", "stellar", "mainnet")
}

// TestRunOverLedgerFiles: each ledger of the range is evaluated once, in
// order, and the failed transactions of the real mainnet ledgers match.
func TestRunOverLedgerFiles(t *testing.T) {
	mon, netw, dir := mainnet(t)
	var seen []uint64
	matches := 0
	err := Run(context.Background(), mon, netw, Source{Dir: dir}, 63092982, 63092984, func(l uint64, ms []*monitor.Match) error {
		seen = append(seen, l)
		matches += len(ms)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] != 63092982 || seen[2] != 63092984 || matches == 0 {
		t.Fatalf("ledgers %v, %d matches", seen, matches)
	}
}

// TestRunReadsTheCacheFirst: a ledger in the block cache is evaluated
// although neither the directory nor an RPC has it.
func TestRunReadsTheCacheFirst(t *testing.T) {
	mon, netw, dir := mainnet(t)
	blocks, err := cache.New(testkit.RedisClient(t), cache.WithKeyPrefix("dryrun_test"))
	if err != nil {
		t.Fatal(err)
	}
	load := ledgerLoader(context.Background(), nil, dir, netw.Slug, netw.NetworkPassphrase)
	b, err := load(63092982)
	if err != nil {
		t.Fatal(err)
	}
	b.Ledger = 777
	if err := blocks.Put(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = Run(context.Background(), mon, netw, Source{Dir: dir, Cache: blocks}, 777, 777, func(_ uint64, ms []*monitor.Match) error {
		n += len(ms)
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("cached ledger: %d matches, %v", n, err)
	}
}

// TestRunRefuses: a reversed range, no source or two, a missing ledger,
// an EVM network without RPC, and a cancelled context each stop the run
// with an error saying so.
func TestRunRefuses(t *testing.T) {
	mon, netw, dir := mainnet(t)
	evm, _ := ozconfig.BuiltinNetwork("ethereum_mainnet")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	none := func(uint64, []*monitor.Match) error { return nil }
	for _, c := range []struct {
		name     string
		ctx      context.Context
		netw     *ozconfig.Network
		src      Source
		from, to uint64
		want     string
	}{
		{"reversed", context.Background(), netw, Source{Dir: dir}, 9, 3, "before the start"},
		{"no source", context.Background(), netw, Source{}, 1, 1, "exactly one"},
		{"two sources", context.Background(), netw, Source{Dir: dir, RPCURL: "http://127.0.0.1:1"}, 1, 1, "exactly one"},
		{"missing ledger", context.Background(), netw, Source{Dir: dir}, 5, 5, "no file for it"},
		{"evm from files", context.Background(), evm, Source{Dir: dir}, 1, 1, "EVM network"},
		{"cancelled", cancelled, netw, Source{Dir: dir}, 63092982, 63092984, "context canceled"},
	} {
		err := Run(c.ctx, mon, c.netw, c.src, c.from, c.to, none)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
