package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// TestNetworkStatusShowsProblemsWithoutEndpoints: the problems recorded
// for a network appear in its status, counted and timed, with the RPC URL
// and address a transport error quotes masked; a network with none shows
// empty lists.
func TestNetworkStatusShowsProblemsWithoutEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, slug := range []string{"stellar_testnet", "stellar_mainnet"} {
		net := `{"network_type":"Stellar","slug":"` + slug + `","name":"` + slug + `",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://rpc.example.com/key0123456789abcdef"},"weight":100}],
 "network_passphrase":"Test SDF Network ; September 2015","block_time_ms":5000,"confirmation_blocks":1,
 "cron_schedule":"0 */1 * * * *","max_past_blocks":20,"store_blocks":false}`
		if err := e.st.UpsertNetwork(ctx, slug, []byte(net)); err != nil {
			t.Fatalf("register network %s: %v", slug, err)
		}
	}
	const slug = "stellar_testnet"
	msg := `the latest ledger cannot be read: Post "https://rpc.example.com/key0123456789abcdef": dial tcp 10.1.2.3:443: connect: connection refused`
	if err := e.st.RecordNetworkProblem(ctx, store.NetworkProblem{Network: slug, Kind: "rpc", Message: msg, Count: 3}); err != nil {
		t.Fatal(err)
	}
	r := e.query(t, "a-viewer", `{ networks { slug status { problems problemDetails { kind message count firstSeen lastSeen } } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("networks: %+v", r.Errors)
	}
	var out struct {
		Networks []struct {
			Slug   string
			Status struct {
				Problems       []string
				ProblemDetails []NetworkProblem
			}
		}
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Networks) != 2 {
		t.Fatalf("networks %+v, want the two registered", out.Networks)
	}
	for _, n := range out.Networks {
		st := n.Status
		if n.Slug != slug {
			if len(st.Problems) != 0 || len(st.ProblemDetails) != 0 {
				t.Errorf("network %s has problems it was never reported: %+v", n.Slug, st)
			}
			continue
		}
		if len(st.ProblemDetails) != 1 || len(st.Problems) != 1 {
			t.Fatalf("network %s status %+v, want the one rpc problem", slug, st)
		}
		p := st.ProblemDetails[0]
		if p.Kind != "rpc" || p.Count != 3 || p.FirstSeen.IsZero() || p.LastSeen.IsZero() {
			t.Errorf("problem %+v: want kind rpc, count 3, first and last seen", p)
		}
		for _, text := range []string{p.Message, st.Problems[0]} {
			if strings.Contains(text, "rpc.example.com") || strings.Contains(text, "key0123") || strings.Contains(text, "10.1.2.3") {
				t.Errorf("message shows the operator's endpoint: %q", text)
			}
			if !strings.Contains(text, "connection refused") {
				t.Errorf("message %q lost what went wrong", text)
			}
		}
		if !strings.HasPrefix(st.Problems[0], "rpc: ") {
			t.Errorf("problems line %q: want it to start with the kind", st.Problems[0])
		}
	}
}
