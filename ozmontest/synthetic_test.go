package ozmontest_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/ozmon/ozmon/ozmontest"
)

func TestSyntheticDeterministic(t *testing.T) {
	t.Parallel()
	cfg := ozmontest.SyntheticConfig{Seed: 7, StartLedger: 500, Ledgers: 3, TxPerLedger: 40}
	a, err := ozmontest.SyntheticLedgers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ozmontest.SyntheticLedgers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("ledger %d differs between two runs with the same seed", i)
		}
	}
	cfg.Seed = 8
	c, err := ozmontest.SyntheticLedgers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[0], c[0]) {
		t.Fatal("seeds 7 and 8 made the same ledger")
	}
}

// TestSyntheticDecodes reads synthetic ledgers with the SDK's own reader,
// which pairs envelopes to results by hashing them with the passphrase:
// it fails on any wrong hash.
func TestSyntheticDecodes(t *testing.T) {
	t.Parallel()
	for _, pass := range []string{network.TestNetworkPassphrase, network.PublicNetworkPassphrase} {
		cfg := ozmontest.SyntheticConfig{Seed: 42, StartLedger: 100, Ledgers: 2, TxPerLedger: 420, Passphrase: pass}
		raws, err := ozmontest.SyntheticLedgers(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ids := ozmontest.SyntheticIDs(42, pass)
		var prevHash xdr.Hash
		for li, raw := range raws {
			var lcm xdr.LedgerCloseMeta
			if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
				t.Fatalf("ledger %d: unmarshal: %v", li, err)
			}
			if lcm.V != 1 || lcm.ProtocolVersion() < 23 {
				t.Fatalf("ledger %d: LCM V%d protocol %d, want V1 protocol 23+", li, lcm.V, lcm.ProtocolVersion())
			}
			if got := lcm.LedgerSequence(); got != 100+uint32(li) {
				t.Fatalf("ledger %d: sequence %d", li, got)
			}
			if li > 0 && lcm.PreviousLedgerHash() != prevHash {
				t.Fatalf("ledger %d: previous hash does not chain", li)
			}
			prevHash = lcm.LedgerHash()
			rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(pass, lcm)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			n := 0
			for {
				tx, err := rd.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("ledger %d: read: %v", li, err)
				}
				n++
				if tx.Result.TransactionHash != tx.Hash {
					t.Fatalf("tx %d: hash mismatch", tx.Index)
				}
				if !tx.Successful() {
					counts["failed"]++
					evs, err := tx.GetContractEventsForOperation(0)
					if err != nil || len(evs) != 0 {
						t.Fatalf("failed tx %d has events %v (%v)", tx.Index, evs, err)
					}
					continue
				}
				op := tx.Envelope.Operations()[0]
				evs, err := tx.GetContractEventsForOperation(0)
				if err != nil || len(evs) != 1 {
					t.Fatalf("tx %d: %d events (%v), want 1", tx.Index, len(evs), err)
				}
				ev := evs[0]
				evContract := strkey.MustEncode(strkey.VersionByteContract, ev.ContractId[:])
				topics := ev.Body.MustV0().Topics
				if call, ok := op.Body.GetInvokeHostFunctionOp(); ok {
					ic := call.HostFunction.MustInvokeContract()
					cid, _ := ic.ContractAddress.String()
					counts[string(ic.FunctionName)]++
					if cid != evContract {
						t.Fatalf("tx %d: call to %s but event from %s", tx.Index, cid, evContract)
					}
					if ic.FunctionName == "transfer" {
						if cid != ids.Token || len(ic.Args) != 3 || topics[3].MustStr() != xdr.ScString(ids.Asset) {
							t.Fatalf("tx %d: bad token transfer", tx.Index)
						}
						// The SAC is the real one for the asset and network.
						asset, err := xdr.BuildAssets(string(topics[3].MustStr()))
						if err != nil {
							t.Fatal(err)
						}
						want, _ := asset[0].ContractID(pass)
						if xdr.ContractId(want) != *ev.ContractId {
							t.Fatalf("tx %d: transfer event contract is not the asset's SAC", tx.Index)
						}
						if !ic.Args[2].Equals(ev.Body.MustV0().Data) {
							t.Fatalf("tx %d: event amount differs from the call's", tx.Index)
						}
					} else if cid != ids.App {
						t.Fatalf("tx %d: %s called on %s", tx.Index, ic.FunctionName, cid)
					}
				} else if pay, ok := op.Body.GetPaymentOp(); ok {
					counts["payment"]++
					if evContract != ids.Native || topics[3].MustStr() != "native" || int64(pay.Amount) != int64(ev.Body.MustV0().Data.MustI128().Lo) {
						t.Fatalf("tx %d: payment event does not match the payment", tx.Index)
					}
				}
				txEvents, err := tx.GetTransactionEvents()
				if err != nil || len(txEvents.TransactionEvents) == 0 {
					t.Fatalf("tx %d: no fee event (%v)", tx.Index, err)
				}
			}
			if n != 420 {
				t.Fatalf("ledger %d: %d transactions, want 420", li, n)
			}
			for _, k := range []string{"transfer", "deposit", "record", "payment", "failed"} {
				if counts[k] == 0 {
					t.Errorf("ledger %d: no %s transactions (%v)", li, k, counts)
				}
			}
		}
	}
}

func TestSyntheticWrongPassphraseFails(t *testing.T) {
	t.Parallel()
	raws, err := ozmontest.SyntheticLedgers(ozmontest.SyntheticConfig{Seed: 1, Ledgers: 1, TxPerLedger: 5})
	if err != nil {
		t.Fatal(err)
	}
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(raws[0], &lcm); err != nil {
		t.Fatal(err)
	}
	rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(network.PublicNetworkPassphrase, lcm)
	if err == nil {
		_, err = rd.Read()
	}
	if err == nil {
		t.Fatal("test-network ledger read with the public passphrase: no error")
	}
}

func TestSyntheticIdentities(t *testing.T) {
	t.Parallel()
	a := ozmontest.SyntheticContracts(3, "")
	b := ozmontest.SyntheticContracts(3, network.TestNetworkPassphrase)
	if len(a) != 2 || a[0] != b[0] || a[1] != b[1] {
		t.Fatalf("default passphrase is not the test network's: %v vs %v", a, b)
	}
	for _, c := range a {
		if _, err := strkey.Decode(strkey.VersionByteContract, c); err != nil {
			t.Fatalf("%s is not a contract address: %v", c, err)
		}
	}
	if c := ozmontest.SyntheticContracts(4, ""); c[0] == a[0] || c[1] == a[1] {
		t.Fatal("different seeds share contract ids")
	}
	ids := ozmontest.SyntheticIDs(3, "")
	if len(ids.Accounts) != ozmontest.SyntheticAccounts || ids.Asset != "OZT:"+ids.Issuer {
		t.Fatalf("identities: %+v", ids)
	}
}

func BenchmarkSyntheticLedger(b *testing.B) {
	g, err := ozmontest.NewSyntheticGenerator(ozmontest.SyntheticConfig{Seed: 1, TxPerLedger: 400})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		_, raw, err := g.Next()
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.ReportMetric(float64(size), "bytes/ledger")
}
