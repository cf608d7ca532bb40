package scheduler_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/tasks"
)

// solanaWatcherSim serves blocks at slots 96, 98 and 130 (97 and 99–129
// skipped), so the finalized tip is 130 and, with 32 confirmations, the
// confirmed slot is 98 — the setting of spec 16.9.
func solanaWatcherSim(t *testing.T) (*ozmontest.SolanaSim, *solana.Source) {
	t.Helper()
	var blocks []map[string]any
	parent := uint64(95)
	for _, s := range []uint64{96, 98, 130} {
		blocks = append(blocks, map[string]any{"slot": s, "blockhash": fmt.Sprintf("H%d", s), "previousBlockhash": fmt.Sprintf("H%d", parent),
			"parentSlot": parent, "blockTime": 1700000000 + s, "blockHeight": s, "transactions": []any{}})
		parent = s
	}
	data, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(data))
	client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}}, chain.WithRetries(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return sim, &solana.Source{Client: client, Network: "solana_devnet"}
}

// SOL142–SOL148: OZ's block watcher decides what was "missed" from what a
// batch fetch returned (sparse: its failed slots; dense: gaps between the
// slots fetched, so every skipped slot, QS14), and saves missed slots for
// recovery only when store_blocks or recovery is on (SOL146). ozmon has no
// batch to infer from: the scheduler enqueues one fetch-block task per
// slot between the cursor and the confirmed tip, and each slot's own
// getBlock answer decides it —
//   - SOL142/SOL144 (QS14 fixed): 96, 97 and 98 are all scheduled; 97, a
//     skipped slot, is answered −32007 once and becomes an empty block
//     marked skipped — read, not missed, never retried;
//   - SOL143/SOL147 (QS15, QS23 fixed): a slot the node cannot serve is a
//     failed fetch-block task, retried by asynq (and archived for
//     re-drive once exhausted), whatever store_blocks and recovery say
//     (SOL146); served again, it is read normally;
//   - SOL145: a stray failure outside the range has nothing to confuse —
//     the range is the tasks themselves;
//   - SOL147: a first run (no cursor) starts at the confirmed slot 98;
//   - SOL148: a cursor already at 98 schedules nothing.
func TestSolanaBlockWatcherGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, src := solanaWatcherSim(t)
	network := scheduler.Network{Slug: "solana_devnet", ConfirmationBlocks: 32, MaxPastBlocks: 100, Tip: src}

	// SOL147: first run.
	e := newEnv(t)
	s := scheduler.New(e.client, e.cursors)
	if err := s.AddNetwork(network); err != nil {
		t.Fatal(err)
	}
	r, err := s.Tick(ctx, "solana_devnet")
	if err != nil || r.Tip != 130 || r.Target != 98 || r.Enqueued != 1 {
		t.Fatalf("SOL147 first tick %+v, %v; want tip 130, target 98, one slot", r, err)
	}
	if got := e.queued(t); !reflect.DeepEqual(got, []uint64{98}) {
		t.Errorf("SOL147 queued %v, want [98]", got)
	}
	if cur, ok, _ := e.cursors.Cursor(ctx, "solana_devnet"); !ok || cur != 98 {
		t.Errorf("SOL147 cursor %d %v, want 98", cur, ok)
	}
	// SOL148: the cursor is at the confirmed slot.
	if r, err := s.Tick(ctx, "solana_devnet"); err != nil || r.Enqueued != 0 {
		t.Errorf("SOL148 tick %+v, %v; want nothing scheduled", r, err)
	}

	// SOL142–SOL145: checkpoint 95.
	e = newEnv(t)
	if err := e.cursors.AdvanceCursor(ctx, "solana_devnet", 95); err != nil {
		t.Fatal(err)
	}
	s = scheduler.New(e.client, e.cursors)
	if err := s.AddNetwork(network); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Tick(ctx, "solana_devnet"); err != nil || r.From != 96 || r.To != 98 || r.Enqueued != 3 {
		t.Fatalf("tick from 95: %+v, %v; want 96..98", r, err)
	}
	if got := e.queued(t); !reflect.DeepEqual(got, []uint64{96, 97, 98}) {
		t.Fatalf("queued %v, want [96 97 98] (the skipped slot included)", got)
	}
	list, err := e.insp.ListPendingTasks(tasks.QueueBlocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range list {
		if ti.MaxRetry < 1 {
			t.Errorf("task %s has no retries: a failed slot would be lost", ti.ID)
		}
	}
	sim.ResetCalls()
	for _, slot := range []uint64{96, 97, 98} {
		b, err := src.FetchBlock(ctx, slot)
		if err != nil {
			t.Fatalf("slot %d: %v", slot, err)
		}
		if skipped := b.Solana != nil && b.Solana.Skipped; skipped != (slot == 97) || b.Ledger != slot {
			t.Errorf("slot %d: skipped=%v", slot, skipped)
		}
	}
	if c := sim.Calls("getBlock"); c != 3 {
		t.Errorf("getBlock calls = %d, want 3 (the skipped slot asked once)", c)
	}
	// SOL143: the node cannot serve 97 for now; the task's fetch fails (and
	// is retried), then succeeds once it can.
	sim.InjectFault("getBlock", ozmontest.Fault{HTTPStatus: 503})
	if _, err := src.FetchBlock(ctx, 97); err == nil || errors.Is(err, solana.ErrSlotSkipped) || !errorsMention(err, "slot 97") {
		t.Errorf("SOL143 unavailable slot: %v, want a retryable error naming slot 97", err)
	}
	sim.ClearFaults()
	if b, err := src.FetchBlock(ctx, 97); err != nil || b.Solana == nil || !b.Solana.Skipped {
		t.Errorf("SOL143 after recovery: %+v, %v", b, err)
	}
}

func errorsMention(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}
