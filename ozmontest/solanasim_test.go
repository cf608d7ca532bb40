package ozmontest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/mr-tron/base58"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/ozmontest"
)

func solClient(t *testing.T, sim *ozmontest.SolanaSim, opts ...chain.RPCOption) *solana.Client {
	t.Helper()
	c, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Synthetic slots through chain/solana: what the sim holds is what the
// client decodes, skipped slots are skipped, and the traffic has what it
// promises (token transfers, Anchor calls with discriminators and events,
// failures, a v0 transaction whose CPI program comes from a lookup table).
func TestSolanaSimSynthetic(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 5, StartSlot: 1000, Slots: 12, TxPerSlot: 8}))
	src := &solana.Source{Client: solClient(t, sim), Network: "solana_sim"}
	ctx := context.Background()
	tip, err := src.Tip(ctx)
	if err != nil || tip != 1011 {
		t.Fatalf("tip %d %v", tip, err)
	}
	var sawToken, sawDeposit, sawEvent, sawFailed, sawLookup, skipped int
	for slot := uint64(1000); slot <= tip; slot++ {
		b, err := src.FetchBlock(ctx, slot)
		if err != nil {
			t.Fatal(err)
		}
		if sim.Skipped(slot) {
			if !b.Solana.Skipped {
				t.Errorf("slot %d: skipped in the sim, not in the block", slot)
			}
			skipped++
			continue
		}
		if !reflect.DeepEqual(b, withNetwork(sim.Block(slot), "solana_sim")) {
			t.Fatalf("slot %d: the client's block differs from the sim's", slot)
		}
		for _, tx := range b.Transactions {
			st := tx.Solana
			if !tx.Success {
				sawFailed++
			}
			for _, p := range b.Contracts() {
				if p == ozmontest.SolanaSimLookupProgram && !contains(st.Message.AccountKeys, p) && contains(st.Accounts(), p) {
					sawLookup++
				}
			}
			ix := st.Message.Instructions[0]
			prog := st.ProgramID(&ix, st.Accounts())
			data, err := base58.Decode(ix.Data)
			if err != nil {
				t.Fatal(err)
			}
			switch prog {
			case "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA":
				if data[0] == 3 { // SPL token Transfer
					sawToken++
				}
			case ozmontest.SolanaSimAnchorProgram:
				if d := ozmontest.AnchorDiscriminator("global", "deposit"); string(data[:8]) == string(d[:]) {
					sawDeposit++
				}
				for _, l := range st.Meta.LogMessages {
					if ev, ok := strings.CutPrefix(l, "Program data: "); ok {
						raw, _ := base64.StdEncoding.DecodeString(ev)
						if d := ozmontest.AnchorDiscriminator("event", "DepositEvent"); len(raw) == 8+32+8 && string(raw[:8]) == string(d[:]) {
							sawEvent++
						}
					}
				}
			}
		}
	}
	if skipped != 1 || sawToken == 0 || sawDeposit == 0 || sawEvent != sawDeposit || sawFailed == 0 || sawLookup == 0 {
		t.Errorf("skipped %d, token %d, deposit %d, events %d, failed %d, lookup CPIs %d", skipped, sawToken, sawDeposit, sawEvent, sawFailed, sawLookup)
	}
	if got := sim.Calls("getBlock"); got != 12 {
		t.Errorf("getBlock calls = %d, want one per slot (12)", got)
	}
}

func withNetwork(b *chain.Block, network string) *chain.Block {
	c := *b
	c.Network = network
	return &c
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// OpenZeppelin Monitor's fixture file, served: the block decodes as the
// fixture says; the slot past the tip is "not available yet" (−32004,
// retried then failed), a slot before the first one is skipped.
func TestSolanaSimFixtures(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/solana/blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(data))
	c := solClient(t, sim, chain.WithRetries(1))
	ctx := context.Background()
	b, err := c.Block(ctx, "solana_devnet", 123456789)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transactions) != 1 || b.Transactions[0].Hash != "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F" || !b.Transactions[0].Success {
		t.Fatalf("block = %+v", b)
	}
	if _, err := c.Block(ctx, "solana_devnet", 123456790); err == nil || !strings.Contains(err.Error(), "-32004") {
		t.Errorf("past the tip: %v", err)
	}
	if _, err := c.Block(ctx, "solana_devnet", 5); !errors.Is(err, solana.ErrSlotSkipped) {
		t.Errorf("before the first slot: %v", err)
	}
}

// Faults apply per method and calls are counted.
func TestSolanaSimFaults(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Slots: 3, TxPerSlot: 2}))
	sim.InjectFault("getSlot", ozmontest.Fault{Code: -32005, Message: "Node is unhealthy", Times: 1})
	c := solClient(t, sim)
	if _, err := c.Slot(context.Background()); err != nil {
		t.Fatalf("a one-time fault is retried: %v", err)
	}
	if sim.Calls("getSlot") != 2 {
		t.Errorf("getSlot calls = %d, want 2", sim.Calls("getSlot"))
	}
	sim.InjectFault("getBlock", ozmontest.Fault{Body: []byte("garbage")})
	if _, err := solClient(t, sim, chain.WithRetries(1)).Block(context.Background(), "n", sim.Tip()); err == nil {
		t.Errorf("garbage answered a block")
	}
}
