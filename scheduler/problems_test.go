package scheduler_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// problemStore is a PostgreSQL store on a schema of the test's own.
func problemStore(t *testing.T) *postgres.Store {
	t.Helper()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func problemsOf(t *testing.T, st *postgres.Store) map[string]store.NetworkProblem {
	t.Helper()
	list, err := st.NetworkProblems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.NetworkProblem{}
	for _, p := range list {
		out[p.Network+"/"+p.Kind] = p
	}
	return out
}

// TestTickRecordsAndResolvesNetworkProblems: an unreadable tip, a cursor
// far behind and skipped ledgers are recorded for the network as they
// happen, and the first two are resolved by the tick that finds them gone.
func TestTickRecordsAndResolvesNetworkProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := problemStore(t)
	var tipErr error
	s := scheduler.New(e.client, e.cursors, scheduler.WithProblems(st))
	n := e.network(0, 0)
	tip := n.Tip
	n.Tip = scheduler.TipFunc(func(ctx context.Context) (uint64, error) {
		if tipErr != nil {
			return 0, tipErr
		}
		return tip.Tip(ctx)
	})
	if err := s.AddNetwork(n); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const slug = "stellar_testnet"

	// The RPC is down: an rpc problem naming the failure, counted.
	tipErr = errors.New("getHealth: HTTP 503 Service Unavailable")
	for range 3 {
		if _, err := s.Tick(ctx, slug); err == nil {
			t.Fatal("tick with an unreadable tip: no error")
		}
	}
	got := problemsOf(t, st)
	rpc, ok := got[slug+"/"+scheduler.ProblemRPC]
	if !ok || len(got) != 1 || !strings.Contains(rpc.Message, "HTTP 503") || rpc.Count < 1 {
		t.Fatalf("after the tip failed: %+v, want one rpc problem naming HTTP 503", got)
	}

	// It answers again, 5,000 ledgers ahead of the cursor: the rpc problem
	// is resolved, and the network is behind (1,000 ledgers a tick).
	tipErr = nil
	if err := e.cursors.AdvanceCursor(ctx, slug, 100); err != nil {
		t.Fatal(err)
	}
	e.tip.Store(5100)
	if _, err := s.Tick(ctx, slug); err != nil {
		t.Fatal(err)
	}
	got = problemsOf(t, st)
	if _, ok := got[slug+"/"+scheduler.ProblemRPC]; ok {
		t.Fatalf("rpc problem still open after the tip was read: %+v", got)
	}
	if p, ok := got[slug+"/"+scheduler.ProblemBehind]; !ok || !strings.Contains(p.Message, "4000 ledgers behind") {
		t.Fatalf("after a tick 4,000 ledgers short of the tip: %+v, want a behind problem", got)
	}
	for range 4 {
		if _, err := s.Tick(ctx, slug); err != nil {
			t.Fatal(err)
		}
	}
	if got = problemsOf(t, st); len(got) != 0 {
		t.Fatalf("caught up, problems remain: %+v", got)
	}
}

// TestTickRecordsSkippedLedgers: ledgers skipped beyond max_past_blocks
// are a problem of the network, with the range that was skipped.
func TestTickRecordsSkippedLedgers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := problemStore(t)
	s := scheduler.New(e.client, e.cursors, scheduler.WithProblems(st))
	if err := s.AddNetwork(e.network(0, 50)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.cursors.AdvanceCursor(ctx, "stellar_testnet", 100); err != nil {
		t.Fatal(err)
	}
	e.tip.Store(300)
	if r, err := s.Tick(ctx, "stellar_testnet"); err != nil || r.Skipped != 150 {
		t.Fatalf("tick = %+v, %v; want 150 skipped", r, err)
	}
	p, ok := problemsOf(t, st)["stellar_testnet/"+scheduler.ProblemSkipped]
	if !ok || !strings.Contains(p.Message, "ledgers 101 to 250 (150)") {
		t.Fatalf("skipped problem %+v (found %v), want ledgers 101 to 250", p, ok)
	}
}

// TestNetworkProblemLeftByAnEarlierRunIsResolved: a scheduler resolves,
// on its first good tick, the problem an earlier run left recorded.
func TestNetworkProblemLeftByAnEarlierRunIsResolved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := problemStore(t)
	ctx := context.Background()
	if err := st.RecordNetworkProblem(ctx, store.NetworkProblem{Network: "stellar_testnet", Kind: scheduler.ProblemRPC, Message: "old"}); err != nil {
		t.Fatal(err)
	}
	s := scheduler.New(e.client, e.cursors, scheduler.WithProblems(st))
	if err := s.AddNetwork(e.network(0, 0)); err != nil {
		t.Fatal(err)
	}
	e.tip.Store(100)
	if _, err := s.Tick(ctx, "stellar_testnet"); err != nil {
		t.Fatal(err)
	}
	if got := problemsOf(t, st); len(got) != 0 {
		t.Fatalf("after a good tick: %+v, want the earlier run's problem resolved", got)
	}
}
