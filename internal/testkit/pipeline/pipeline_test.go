package pipeline_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/internal/testkit/pipeline"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

const transfer = "transfer(Address,Address,String,I128)"

// TestPipelinePublishesLiveMatches: a ledger that appears in the simulator
// after Start is scheduled, fetched and evaluated, and each of its
// transactions emitting the watched event reaches the tenant's live
// stream as a match, with that ledger; the ledgers before the cursor are
// not evaluated.
func TestPipelinePublishesLiveMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, schema := testkit.PostgresSchema(t)
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rdbOpts := testkit.Redis(t)
	const slug = "stellar_testnet"
	const start, visible = 700, 3
	sim := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 4, StartLedger: start, Ledgers: 10, TxPerLedger: 40,
		Passphrase: network.TestNetworkPassphrase}), ozmontest.SimInitialTip(start+visible-1))
	ids := ozmontest.SyntheticIDs(4, network.TestNetworkPassphrase)

	// The first hidden ledger with a transfer is the one to reveal; the
	// visible ones must have some too, or "not evaluated" proves nothing.
	var before int
	for l := uint32(start); l < start+visible; l++ {
		before += len(pipeline.Emitters(t, sim, l, ids.Token, transfer))
	}
	if before == 0 {
		t.Fatal("no visible synthetic ledger has a token transfer")
	}
	var seq uint32
	var want []string
	for l := uint32(start + visible); l < start+10 && want == nil; l++ {
		seq, want = l, pipeline.Emitters(t, sim, l, ids.Token, transfer)
	}
	if want == nil {
		t.Fatal("no hidden synthetic ledger has a token transfer")
	}

	mon, _ := json.Marshal(map[string]any{"name": "transfers", "paused": false, "networks": []string{slug},
		"addresses": []any{map[string]any{"address": ids.Token}},
		"match_conditions": map[string]any{"functions": []any{}, "transactions": []any{},
			"events": []any{map[string]any{"signature": transfer}}},
		"trigger_conditions": []any{}, "triggers": []string{}})
	tenant, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	_, raw := storetest.Fixture{Networks: map[string]string{slug: storetest.NetworkJSON(slug)},
		Monitors: map[string]string{"transfers": string(mon)}}.Build(t)
	if _, err := tenantconfig.New(st).Apply(ctx, tenant.ID, auth.Principal{Operator: true}, tenantconfig.Import{Files: files.ItemFiles(raw)}); err != nil {
		t.Fatal(err)
	}

	prefix := "pipeline-test:live:" + schema
	rdb := redis.NewClient(rdbOpts)
	t.Cleanup(func() { _ = rdb.Close() })
	hub := live.NewHub(rdb, live.WithKeyPrefix(prefix))
	t.Cleanup(hub.Close)
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	sub, err := hub.Subscribe(sctx, tenant.ID, live.Filter{Kind: live.KindMatch}, "")
	if err != nil {
		t.Fatal(err)
	}

	p := pipeline.Start(t, pipeline.Config{Store: st, Redis: rdbOpts, Sim: sim, Network: slug, LivePrefix: prefix})
	if !p.Loaded(tenant.ID, "transfers") {
		t.Fatal("the worker did not load the tenant's monitor at start")
	}
	p.AdvanceTo(t, seq)

	var got []string
	for len(got) < len(want) {
		select {
		case ev := <-sub.Events():
			if ev.Ledger != uint64(seq) || ev.Monitor != "transfers" || ev.Network != slug {
				t.Fatalf("match %+v: want ledger %d of monitor transfers on %s", ev, seq, slug)
			}
			got = append(got, ev.TxHash)
		case <-sctx.Done():
			t.Fatalf("got %d of %d matches of ledger %d: %v (subscription: %v)", len(got), len(want), seq, got, sub.Err())
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("matched transactions %v, want %v", got, want)
	}
}
