package monitortest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitortest"
)

// recorder is a testing.TB that records failures instead of reporting
// them, so the helpers' own failures can be checked. Fatalf ends the
// calling goroutine, as testing.T's does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msgs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// run calls f with a fresh recorder on a goroutine of its own and returns
// the recorder once f returned or gave up.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// wantFailure requires r to have failed with a message holding every part.
func (r *recorder) wantFailure(t *testing.T, parts ...string) {
	t.Helper()
	if !r.failed {
		t.Fatal("the helper did not fail")
	}
	msg := strings.Join(r.msgs, "\n")
	t.Logf("failure message:\n%s", msg)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("failure message lacks %q", p)
		}
	}
}

func (r *recorder) wantPass(t *testing.T) {
	t.Helper()
	if r.failed {
		t.Fatalf("the helper failed: %s", strings.Join(r.msgs, "\n"))
	}
}

const (
	usdc     = "CCW67TSZV3SSS2HXMBQ5JFGCKJNXKZM7UQUWUZPUTHXSTZLEO7SJMI75"
	bigTx    = "5d1b062dae9b02b4f9460c80dea277cffb46f1d3104ab84aa49d13beb2ccb718"
	smallTx  = "c41e13c82d4b9ace712a93e023c98adc5a26b4d5093ac612b71f34d841981de8"
	ledgerA  = "../testdata/stellar/mainnet/ledger-63092982.xdr.gz"
	ledgerB  = "../testdata/stellar/mainnet/ledger-63092983.xdr.gz"
	evmDir   = "../testdata/ozmonitor/evm"
	usdcEVM  = "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8"
	evmBlock = 21306058
)

func transfers(network, expression string, paused bool) string {
	return fmt.Sprintf(`{"name": "Large USDC transfers", "networks": [%q], "paused": %v,
	  "addresses": [{"address": %q}],
	  "match_conditions": {"functions": [],
	    "events": [{"signature": "transfer(Address,Address,String,I128)", "expression": %q}],
	    "transactions": [{"status": "Success"}]},
	  "trigger_conditions": [], "triggers": []}`, network, paused, usdc, expression)
}

func TestStellarRequireMatch(t *testing.T) {
	t.Parallel()
	ms := monitortest.Stellar(t, transfers("stellar_mainnet", "3 >= 1000000000", false), ledgerB, ledgerA)
	if len(ms.Ledgers) != 2 || ms.Ledgers[0] != 63092982 || ms.Ledgers[1] != 63092983 || len(ms.All) != 4 {
		t.Fatalf("ledgers %v, %d matches; want both ledgers in order and 4 matches", ms.Ledgers, len(ms.All))
	}
	t.Run("passes", func(t *testing.T) {
		run(t, func(tb testing.TB) {
			monitortest.RequireMatch(tb, ms)
			monitortest.RequireMatch(tb, ms, monitortest.Tx(bigTx), monitortest.Ledger(63092982))
			monitortest.RequireMatch(tb, ms, monitortest.Tx(strings.ToUpper(bigTx)))
			monitortest.RequireNoMatch(tb, ms, monitortest.Tx(smallTx), monitortest.Ledger(63092984))
		}).wantPass(t)
	})
	t.Run("missing transaction", func(t *testing.T) {
		run(t, func(tb testing.TB) {
			monitortest.RequireMatch(tb, ms, monitortest.Tx(bigTx), monitortest.Tx(smallTx))
		}).wantFailure(t, `monitor "Large USDC transfers" did not match tx `+smallTx,
			"in 2 ledgers 63092982..63092983 of stellar_mainnet", "it matched 4:",
			"ledger 63092983 tx "+bigTx+" (event transfer(Address,Address,String,I128) ×3, transaction Success)")
	})
	t.Run("missing ledger", func(t *testing.T) {
		run(t, func(tb testing.TB) {
			monitortest.RequireMatch(tb, ms, monitortest.Ledger(63092984))
		}).wantFailure(t, "did not match ledger 63092984")
	})
	t.Run("unwanted transaction", func(t *testing.T) {
		run(t, func(tb testing.TB) {
			monitortest.RequireNoMatch(tb, ms, monitortest.Tx(smallTx), monitortest.Tx(bigTx))
		}).wantFailure(t, "want no match there", "unwanted 1:", "ledger 63092983 tx "+bigTx)
	})
	t.Run("any match unwanted", func(t *testing.T) {
		run(t, func(tb testing.TB) { monitortest.RequireNoMatch(tb, ms) }).wantFailure(t, "unwanted 4:")
	})
}

func TestStellarNothingMatched(t *testing.T) {
	t.Parallel()
	ms := monitortest.Stellar(t, transfers("stellar_mainnet", "3 >= 100000000000000", false), ledgerA)
	run(t, func(tb testing.TB) { monitortest.RequireNoMatch(tb, ms) }).wantPass(t)
	run(t, func(tb testing.TB) { monitortest.RequireMatch(tb, ms) }).
		wantFailure(t, `monitor "Large USDC transfers" matched nothing in ledger 63092982 of stellar_mainnet, want a match`)
	run(t, func(tb testing.TB) { monitortest.RequireMatch(tb, ms, monitortest.Tx(bigTx)) }).wantFailure(t, "it matched nothing")
	empty := monitortest.Stellar(t, transfers("stellar_mainnet", "3 >= 1", false))
	run(t, func(tb testing.TB) { monitortest.RequireMatch(tb, empty) }).wantFailure(t, "no ledgers (no files given)")
}

// A paused monitor is checked all the same: CI runs before it goes live.
func TestStellarPausedMonitorRuns(t *testing.T) {
	t.Parallel()
	ms := monitortest.Stellar(t, transfers("stellar_mainnet", "3 >= 1000000000", true), ledgerA)
	monitortest.RequireMatch(t, ms, monitortest.Ledger(63092982))
}

// The list in a failure message is bounded, whatever the monitor matched.
func TestFailureListIsBounded(t *testing.T) {
	t.Parallel()
	ms := monitortest.Matches{Monitor: "Everything", Network: "stellar_mainnet", Ledgers: []uint64{1}}
	for i := range 25 {
		ms.All = append(ms.All, &monitor.Match{Ledger: 1, Transaction: &chain.Transaction{Hash: fmt.Sprintf("tx%02d", i)}})
	}
	r := run(t, func(tb testing.TB) { monitortest.RequireNoMatch(tb, ms) })
	r.wantFailure(t, "unwanted 25:", "tx09", "… and 15 more")
	if strings.Contains(strings.Join(r.msgs, ""), "tx10") {
		t.Fatal("the message lists more than 10 matches")
	}
	long := strings.Repeat("ab", 5000)
	r = run(t, func(tb testing.TB) { monitortest.RequireMatch(tb, ms, monitortest.Tx(long)) })
	if msg := strings.Join(r.msgs, ""); !r.failed || len(msg) > 2000 {
		t.Fatalf("a long hash is repeated whole (%d bytes)", len(msg))
	}
}

func TestBadInputFails(t *testing.T) {
	t.Parallel()
	notLedger := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notLedger, []byte("not a ledger"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    func(tb testing.TB)
		want []string
	}{
		{"bad JSON", func(tb testing.TB) { monitortest.Stellar(tb, `{"name": `, ledgerA) }, []string{"monitortest: parse monitor"}},
		{"unknown network", func(tb testing.TB) { monitortest.Stellar(tb, transfers("stellar_futurenet", "3 >= 1", false), ledgerA) },
			[]string{`network "stellar_futurenet" is not built in`}},
		{"EVM network for Stellar", func(tb testing.TB) { monitortest.Stellar(tb, transfers("ethereum_mainnet", "3 >= 1", false), ledgerA) },
			[]string{"network ethereum_mainnet is EVM, not Stellar"}},
		{"missing file", func(tb testing.TB) {
			monitortest.Stellar(tb, transfers("stellar_mainnet", "3 >= 1", false), "no/such.xdr")
		},
			[]string{"no/such.xdr"}},
		{"not a ledger", func(tb testing.TB) { monitortest.Stellar(tb, transfers("stellar_mainnet", "3 >= 1", false), notLedger) },
			[]string{notLedger}},
		{"bad expression", func(tb testing.TB) { monitortest.Stellar(tb, transfers("stellar_mainnet", "3 >>>", false), ledgerA) },
			[]string{"monitortest: "}},
		{"missing blocks file", func(tb testing.TB) {
			monitortest.EVM(tb, readFile(t, evmDir+"/monitors/monitor.json"), "no/blocks.json", "")
		}, []string{"no/blocks.json"}},
		{"blocks file not JSON", func(tb testing.TB) {
			monitortest.EVM(tb, readFile(t, evmDir+"/monitors/monitor.json"), notLedger, "")
		}, []string{notLedger}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run(t, c.f).wantFailure(t, c.want...)
		})
	}
}

// OpenZeppelin Monitor's own EVM fixture: its monitor matches the USDC
// transfer of block 21306058 on the call and, from the receipts' logs, on
// the event, as its own tests expect.
func TestEVMFixture(t *testing.T) {
	t.Parallel()
	mon := readFile(t, evmDir+"/monitors/monitor.json")
	ms := monitortest.EVM(t, mon, evmDir+"/blocks.json", evmDir+"/transaction_receipts.json")
	monitortest.RequireMatch(t, ms, monitortest.Tx(usdcEVM), monitortest.Ledger(evmBlock))
	monitortest.RequireMatch(t, ms, monitortest.Tx(strings.TrimPrefix(strings.ToUpper(usdcEVM), "0X")))
	if ms.Network != "ethereum_mainnet" || len(ms.Ledgers) != 5 {
		t.Fatalf("evaluated %v on %s; want the fixture's 5 blocks on ethereum_mainnet", ms.Ledgers, ms.Network)
	}
	for _, m := range ms.All {
		if m.Ledger == evmBlock && (m.Transaction.Hash != usdcEVM || len(m.MatchedOn.Events) != 1 || len(m.MatchedOn.Functions) != 1) {
			t.Fatalf("block %d: match %s on %+v; want the USDC transfer on its call and event", evmBlock, m.Transaction.Hash, m.MatchedOn)
		}
	}
	run(t, func(tb testing.TB) { monitortest.RequireNoMatch(tb, ms, monitortest.Ledger(evmBlock)) }).
		wantFailure(t, `monitor "Mint USDC Token" matched`, "ledger 21306058 tx "+usdcEVM)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
