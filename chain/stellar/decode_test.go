package stellar

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

const mainnetSlug = "stellar_mainnet"

// mainnetLedgerFiles lists the real mainnet LedgerCloseMeta files.
func mainnetLedgerFiles(tb testing.TB) []string {
	tb.Helper()
	dir := testkit.SharedPath(tb, "testdata", "stellar", "mainnet")
	var files []string
	for _, pat := range []string{"*.xdr", "*.xdr.gz", "*.xdr.zst", "*.xdr.zstd"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		tb.Fatalf("no ledger files in %s", dir)
	}
	return files
}

func readLedger(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := ReadLedgerFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// sdkTx is what the SDK's own LedgerTransactionReader says about a transaction.
type sdkTx struct {
	hash       string
	success    bool
	feeCharged int64
	source     string
	feeBump    bool
	ops        int
	opEvents   []int // contract events per operation
	txEvents   int   // transaction-level (fee) events
}

func sdkRead(tb testing.TB, passphrase string, lcm xdr.LedgerCloseMeta) []sdkTx {
	tb.Helper()
	rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		tb.Fatal(err)
	}
	var out []sdkTx
	for {
		tx, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		evs, err := tx.GetTransactionEvents()
		if err != nil {
			tb.Fatal(err)
		}
		src, err := tx.Account()
		if err != nil {
			tb.Fatal(err)
		}
		s := sdkTx{
			hash:       hex.EncodeToString(tx.Hash[:]),
			success:    tx.Successful(),
			feeCharged: int64(tx.Result.Result.FeeCharged),
			source:     src,
			feeBump:    tx.Envelope.IsFeeBump(),
			ops:        len(tx.Envelope.Operations()),
			txEvents:   len(evs.TransactionEvents),
		}
		for _, op := range evs.OperationEvents {
			s.opEvents = append(s.opEvents, len(op))
		}
		out = append(out, s)
	}
	return out
}

// TestMainnetLedgersAgreeWithSDK decodes every real mainnet ledger and
// checks it against the SDK's own reader: transaction count and order,
// hashes, status, fee, source, operation count and the contract events per
// operation and per transaction.
func TestMainnetLedgersAgreeWithSDK(t *testing.T) {
	testkit.SharedDir(t) // skips, saying why, without the shared ledgers
	var mapTransfers, i128Transfers atomic.Int64
	t.Run("ledgers", func(t *testing.T) {
		for _, path := range mainnetLedgerFiles(t) {
			t.Run(filepath.Base(path), func(t *testing.T) {
				t.Parallel()
				raw := readLedger(t, path)
				blk, err := DecodeLedgerXDR(mainnetSlug, network.PublicNetworkPassphrase, raw)
				if err != nil {
					t.Fatal(err)
				}
				var lcm xdr.LedgerCloseMeta
				if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
					t.Fatal(err)
				}
				want := sdkRead(t, network.PublicNetworkPassphrase, lcm)

				hdr := lcm.LedgerHeaderHistoryEntry()
				if blk.Chain != chain.Stellar || blk.Network != mainnetSlug ||
					blk.Ledger != uint64(lcm.LedgerSequence()) ||
					blk.Hash != hex.EncodeToString(hdr.Hash[:]) ||
					blk.ParentHash != hex.EncodeToString(hdr.Header.PreviousLedgerHash[:]) ||
					!blk.CloseTime.Equal(lcm.ClosedAt()) ||
					blk.ProtocolVersion != lcm.ProtocolVersion() {
					t.Fatalf("header mismatch: %+v", blk)
				}
				if len(blk.Transactions) != len(want) {
					t.Fatalf("%d transactions, SDK reads %d", len(blk.Transactions), len(want))
				}
				var events, calls int
				for i, w := range want {
					tx := &blk.Transactions[i]
					if tx.Index != i+1 || tx.Hash != w.hash {
						t.Fatalf("tx %d: index %d hash %s, SDK hash %s", i+1, tx.Index, tx.Hash, w.hash)
					}
					if tx.Success != w.success || tx.FeeCharged != w.feeCharged || tx.Source != w.source ||
						tx.FeeBump != w.feeBump || len(tx.Operations) != w.ops {
						t.Fatalf("tx %s: got success=%v fee=%d source=%s feeBump=%v ops=%d; SDK %+v",
							tx.Hash, tx.Success, tx.FeeCharged, tx.Source, tx.FeeBump, len(tx.Operations), w)
					}
					if tx.FeeBump && tx.FeeSource == "" {
						t.Fatalf("tx %s: fee bump without fee source", tx.Hash)
					}
					gotOp := map[int]int{}
					gotTx := 0
					for _, ev := range tx.Events {
						if ev.TxIndex != tx.Index {
							t.Fatalf("tx %s: event TxIndex %d", tx.Hash, ev.TxIndex)
						}
						if ev.OpIndex < 0 {
							gotTx++
						} else {
							gotOp[ev.OpIndex]++
						}
					}
					if gotTx != w.txEvents {
						t.Fatalf("tx %s: %d transaction-level events, SDK %d", tx.Hash, gotTx, w.txEvents)
					}
					for op, n := range w.opEvents {
						if gotOp[op] != n {
							t.Fatalf("tx %s op %d: %d events, SDK %d", tx.Hash, op, gotOp[op], n)
						}
						delete(gotOp, op)
					}
					if len(gotOp) != 0 {
						t.Fatalf("tx %s: events on operations the SDK has none for: %v", tx.Hash, gotOp)
					}
					if len(tx.EnvelopeXDR) == 0 || len(tx.ResultXDR) == 0 {
						t.Fatalf("tx %s: raw XDR missing", tx.Hash)
					}
					events += len(tx.Events)
					for _, ev := range tx.Events {
						// CAP-67 SAC transfers carry an i128 or {amount, to_muxed_id}.
						if len(ev.Topics) == 4 && ev.Topics[0].String() == "transfer" {
							switch ev.Data.Kind {
							case chain.KindI128:
								i128Transfers.Add(1)
							case chain.KindMap:
								if js := ev.Data.OZJSON(); strings.Contains(js, `"amount":{"type":"I128"`) && strings.Contains(js, `"to_muxed_id":`) {
									mapTransfers.Add(1)
								}
							}
						}
					}
					for _, op := range tx.Operations {
						if op.Call != nil {
							calls++
						}
					}
				}
				t.Logf("ledger %d: %d txs, %d contract calls, %d events", blk.Ledger, len(blk.Transactions), calls, events)

				// The struct path must build exactly the same block.
				blk2, err := decodeLedger(mainnetSlug, network.PublicNetworkPassphrase, lcm)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(blk, blk2) {
					t.Fatal(diffBlocks(blk, blk2))
				}
			})
		}
	})
	t.Logf("SAC transfer events: %d with i128 data, %d with {amount, to_muxed_id} data", i128Transfers.Load(), mapTransfers.Load())
	if mapTransfers.Load() == 0 || i128Transfers.Load() == 0 {
		t.Fatal("expected both transfer data shapes in the mainnet ledgers")
	}
}

// diffBlocks names the first transaction where two blocks differ.
func diffBlocks(a, b *chain.Block) string {
	if len(a.Transactions) != len(b.Transactions) {
		return "transaction counts differ"
	}
	for i := range a.Transactions {
		x, y := &a.Transactions[i], &b.Transactions[i]
		if !reflect.DeepEqual(x, y) {
			var sb strings.Builder
			sb.WriteString("transaction " + x.Hash + " differs:")
			if !reflect.DeepEqual(x.Operations, y.Operations) {
				sb.WriteString(" operations")
			}
			if !reflect.DeepEqual(x.Events, y.Events) {
				sb.WriteString(" events")
			}
			if !reflect.DeepEqual(x.EnvelopeXDR, y.EnvelopeXDR) || !reflect.DeepEqual(x.ResultXDR, y.ResultXDR) {
				sb.WriteString(" raw XDR")
			}
			return sb.String()
		}
	}
	return fmt.Sprintf("headers differ: %+v vs %+v", headerOf(a), headerOf(b))
}

func headerOf(b *chain.Block) chain.Block {
	h := *b
	h.Transactions = nil
	return h
}
