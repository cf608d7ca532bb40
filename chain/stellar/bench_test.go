package stellar

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// benchLedgers loads the real mainnet ledgers once per benchmark.
func benchLedgers(b *testing.B) (names []string, raws [][]byte) {
	b.Helper()
	for _, path := range mainnetLedgerFiles(b) {
		names = append(names, strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".xdr"))
		raws = append(raws, readLedger(b, path))
	}
	return names, raws
}

// cpuTime is the process's user+system CPU time so far. Benchmarks report
// it per operation ("cpu-ns/op") next to wall-clock ns/op, which on a shared
// 2-core machine mostly measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and reports the CPU time per op.
func loop(b *testing.B, op func()) {
	b.Helper()
	start, n := cpuTime(), 0
	for b.Loop() {
		op()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkDecodeLedger measures DecodeLedgerXDR per real mainnet ledger:
// raw LedgerCloseMeta bytes in, a complete chain.Block out.
func BenchmarkDecodeLedger(b *testing.B) {
	names, raws := benchLedgers(b)
	for i, raw := range raws {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			var txs int
			loop(b, func() {
				blk, err := DecodeLedgerXDR(mainnetSlug, network.PublicNetworkPassphrase, raw)
				if err != nil {
					b.Fatal(err)
				}
				txs = len(blk.Transactions)
			})
			b.ReportMetric(float64(txs), "txs")
		})
	}
}

// BenchmarkSDKLedgerTransactionReader is the SDK's full path over the same
// ledgers, for comparison: SafeUnmarshal of the LedgerCloseMeta, then
// LedgerTransactionReader and GetTransactionEvents for every transaction
// (which still leaves the values undecoded into anything a monitor reads).
func BenchmarkSDKLedgerTransactionReader(b *testing.B) {
	names, raws := benchLedgers(b)
	for i, raw := range raws {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			var txs int
			loop(b, func() {
				var lcm xdr.LedgerCloseMeta
				if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
					b.Fatal(err)
				}
				rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(network.PublicNetworkPassphrase, lcm)
				if err != nil {
					b.Fatal(err)
				}
				txs = 0
				for {
					tx, err := rd.Read()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if _, err := tx.GetTransactionEvents(); err != nil {
						b.Fatal(err)
					}
					txs++
				}
			})
			b.ReportMetric(float64(txs), "txs")
		})
	}
}

// BenchmarkDecodeLedgerStruct measures decodeLedger on an already decoded
// LedgerCloseMeta (the decode itself excluded).
func BenchmarkDecodeLedgerStruct(b *testing.B) {
	names, raws := benchLedgers(b)
	for i, raw := range raws {
		var lcm xdr.LedgerCloseMeta
		if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
			b.Fatal(err)
		}
		b.Run(names[i], func(b *testing.B) {
			b.ReportAllocs()
			loop(b, func() {
				if _, err := decodeLedger(mainnetSlug, network.PublicNetworkPassphrase, lcm); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
