package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// TestNetworkProblemsCountAndResolve: a problem reported again is one
// row whose count adds up and whose message is the latest; resolving it
// removes it and nothing else; one nobody has reported for an hour is not
// listed.
func TestNetworkProblemsCountAndResolve(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	record := func(network, kind, msg string, n int64) {
		t.Helper()
		if err := s.RecordNetworkProblem(ctx, store.NetworkProblem{Network: network, Kind: kind, Message: msg, Count: n}); err != nil {
			t.Fatal(err)
		}
	}
	list := func() []store.NetworkProblem {
		t.Helper()
		ps, err := s.NetworkProblems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	record("stellar_mainnet", "rpc", "read tip: connection refused", 0)
	record("stellar_mainnet", "rpc", "read tip: HTTP 503", 4)
	record("stellar_mainnet", "behind", "2,000 ledgers behind", 1)
	record("stellar_testnet", "rpc", "read tip: timeout", 1)
	ps := list()
	if len(ps) != 3 {
		t.Fatalf("problems %+v, want 3", ps)
	}
	rpc := ps[1]
	if rpc.Network != "stellar_mainnet" || rpc.Kind != "rpc" || rpc.Count != 5 || rpc.Message != "read tip: HTTP 503" ||
		rpc.FirstSeen.IsZero() || rpc.LastSeen.Before(rpc.FirstSeen) {
		t.Fatalf("mainnet rpc problem %+v: want count 5 (1 + 4), the latest message, first ≤ last seen", rpc)
	}
	if err := s.ResolveNetworkProblem(ctx, "stellar_mainnet", "rpc"); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveNetworkProblem(ctx, "stellar_mainnet", "rpc"); err != nil {
		t.Fatalf("resolving a resolved problem: %v", err)
	}
	ps = list()
	if len(ps) != 2 || ps[0].Kind != "behind" || ps[1].Network != "stellar_testnet" {
		t.Fatalf("after resolving mainnet's rpc problem: %+v", ps)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE ozmon_network_problems SET last_seen = NOW() - interval '61 minutes' WHERE network = 'stellar_testnet'`); err != nil {
		t.Fatal(err)
	}
	if ps = list(); len(ps) != 1 || ps[0].Network != "stellar_mainnet" {
		t.Fatalf("a problem unseen for over an hour is still listed: %+v", ps)
	}
}

// TestNetworkProblemBadInput: a problem without network or kind is
// refused; a huge or NUL-laden message is stored bounded and clean.
func TestNetworkProblemBadInput(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	for _, p := range []store.NetworkProblem{{Kind: "rpc", Message: "m"}, {Network: "n", Message: "m"}} {
		if err := s.RecordNetworkProblem(ctx, p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("record %+v: %v, want store.ErrInvalid", p, err)
		}
	}
	if err := s.RecordNetworkProblem(ctx, store.NetworkProblem{Network: "n", Kind: "rpc", Message: "bad\x00byte" + strings.Repeat("x", 100000)}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.NetworkProblems(ctx)
	if err != nil || len(ps) != 1 {
		t.Fatalf("problems %d, %v", len(ps), err)
	}
	if m := ps[0].Message; len(m) > 2100 || strings.Contains(m, "\x00") || !strings.HasPrefix(m, "badbyte") {
		t.Fatalf("message of %d bytes %.20q: want it bounded and without NUL", len(m), m)
	}
}
