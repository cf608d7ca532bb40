package stellar

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// TestWalkAndDecode follows 20 synthetic ledgers through the client and
// the decoder: what the simulator generated is what a monitor sees.
func TestWalkAndDecode(t *testing.T) {
	t.Parallel()
	const seed, perLedger = 31, 40
	sim := ozmontest.StartStellarSim(t, synth(seed, 2000, 20, perLedger))
	ids := ozmontest.SyntheticIDs(seed, "")
	c := newClient(t, []string{sim.URL()})
	ctx := context.Background()
	seen := map[string]int{}
	for seq := uint32(2000); seq < 2020; seq++ {
		l, err := c.Ledger(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		blk, err := DecodeLedgerXDR("synthetic", sim.Passphrase(), l.Meta)
		if err != nil {
			t.Fatalf("decode ledger %d: %v", seq, err)
		}
		if blk.Ledger != uint64(seq) || blk.Hash != l.Hash || len(blk.Transactions) != perLedger {
			t.Fatalf("ledger %d: block %d %s with %d transactions", seq, blk.Ledger, blk.Hash, len(blk.Transactions))
		}
		for _, tx := range blk.Transactions {
			if !tx.Success {
				seen["failed"]++
				continue
			}
			op := tx.Operations[0]
			switch {
			case op.Call != nil && op.Call.Contract == ids.Token && op.Call.Function == "transfer":
				seen["transfer"]++
				var ev chain.Event
				for _, e := range tx.Events {
					if e.OpIndex == 0 {
						ev = e
					}
				}
				if ev.Contract != ids.Token || ev.Topics[0].Text != "transfer" || ev.Data.Kind != chain.KindI128 ||
					ev.Data.Text != op.Call.Args[2].Text || ev.Topics[3].Text != ids.Asset {
					t.Fatalf("ledger %d tx %d: transfer event %+v does not match call %+v", seq, tx.Index, ev, op.Call)
				}
			case op.Call != nil && op.Call.Contract == ids.App && op.Call.Function == "record":
				seen["record"]++
				a := op.Call.Args
				if a[0].Kind != chain.KindU32 || a[1].Kind != chain.KindString || a[2].Kind != chain.KindVec || a[3].Kind != chain.KindMap {
					t.Fatalf("record args %+v", a)
				}
			case op.Call != nil && op.Call.Contract == ids.App && op.Call.Function == "deposit":
				seen["deposit"]++
			case op.Payment != nil:
				seen["payment"]++
			default:
				t.Fatalf("ledger %d tx %d: unexpected operation %+v", seq, tx.Index, op)
			}
		}
	}
	for _, k := range []string{"transfer", "record", "deposit", "payment", "failed"} {
		if seen[k] == 0 {
			t.Errorf("no %s transactions decoded (%v)", k, seen)
		}
	}
	if sim.Calls("getLedgers") != 20 || sim.Calls("getTransactions") != 0 || sim.Calls("getEvents") != 0 {
		t.Fatalf("calls: %d getLedgers, %d getTransactions, %d getEvents",
			sim.Calls("getLedgers"), sim.Calls("getTransactions"), sim.Calls("getEvents"))
	}
}
