package pipeline

import (
	"testing"

	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

// Emitters returns the hashes of the transactions of sim's ledger seq
// (held, visible or not yet) that emit contract's event signature, in
// ledger order, each once. It reads the raw block model, independently of
// the monitor engine, so a test knows which matches to expect before the
// pipeline has seen the ledger.
func Emitters(tb testing.TB, sim *ozmontest.StellarSim, seq uint32, contract, signature string) []string {
	tb.Helper()
	raw, ok := sim.LedgerXDR(seq)
	if !ok {
		tb.Fatalf("pipeline: the simulator holds no ledger %d", seq)
	}
	b, err := stellar.DecodeLedgerXDR("sim", sim.Passphrase(), raw)
	if err != nil {
		tb.Fatalf("pipeline: decode ledger %d: %v", seq, err)
	}
	var out []string
	for _, tx := range b.Transactions {
		for _, ev := range tx.Events {
			if sig, ok := testkit.EventSignature(ev); ok && ev.Contract == contract && sig == signature {
				out = append(out, tx.Hash)
				break
			}
		}
	}
	return out
}
