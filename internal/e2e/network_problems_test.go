package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
)

// TestNetworkStatusShowsRPCOutage: a scheduler runs against the Stellar
// simulator; its getHealth starts answering 503, and a tenant asking for
// the networks sees the rpc problem in the network's status; once the
// simulator answers again the problem is gone.
func TestNetworkStatusShowsRPCOutage(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	ctx := context.Background()
	sim := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, StartLedger: 100, Ledgers: 5, TxPerLedger: 1}),
		ozmontest.SimInitialTip(102), ozmontest.SimPassphrase(network.PublicNetworkPassphrase))
	if err := d.st.UpsertNetwork(ctx, mainnet, networkJSON(sim.URL())); err != nil {
		t.Fatal(err)
	}
	client, err := stellar.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	src := &stellar.Source{Client: client, Network: mainnet, Passphrase: network.PublicNetworkPassphrase}
	rdb := redis.NewClient(d.rdbOpts)
	aq := asynq.NewClientFromRedisClient(rdb)
	s := scheduler.New(aq, d.st, scheduler.WithLogger(d.log), scheduler.WithProblems(d.st))
	if err := s.AddNetwork(scheduler.Network{Slug: mainnet, CronSchedule: "@every 1s", Tip: src}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; aq.Close(); rdb.Close() })

	key, _ := d.key(d.tenant("acme"), "reader", auth.RoleViewer, time.Time{})
	type problem struct {
		Kind, Message string
		Count         int
	}
	status := func() []problem {
		var out struct {
			Networks []struct {
				Slug   string
				Status struct{ ProblemDetails []problem }
			}
		}
		d.gql(t, key, `{ networks { slug status { problemDetails { kind message count } } } }`, nil).ok(t, &out)
		for _, n := range out.Networks {
			if n.Slug == mainnet {
				return n.Status.ProblemDetails
			}
		}
		t.Fatalf("network %s not listed: %+v", mainnet, out.Networks)
		return nil
	}
	testkit.WaitUntil(t, 10*time.Second, "a first good tick", func() bool {
		_, ok, err := d.st.Cursor(ctx, mainnet)
		return ok && err == nil
	})
	if ps := status(); len(ps) != 0 {
		t.Fatalf("problems while the RPC answers: %+v", ps)
	}

	sim.InjectFault("getHealth", ozmontest.Fault{HTTPStatus: 503})
	var seen []problem
	testkit.WaitUntil(t, 15*time.Second, "the rpc problem in the network's status", func() bool {
		seen = status()
		return len(seen) == 1 && seen[0].Kind == scheduler.ProblemRPC
	})
	if !strings.Contains(seen[0].Message, "503") || strings.Contains(seen[0].Message, "127.0.0.1") || seen[0].Count < 1 {
		t.Fatalf("rpc problem %+v: want the 503 named, the simulator's address masked", seen[0])
	}

	sim.ClearFaults()
	testkit.WaitUntil(t, 15*time.Second, "the rpc problem cleared after recovery", func() bool { return len(status()) == 0 })
}
