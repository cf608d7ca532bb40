package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	testpipeline "github.com/ozmon/ozmon/internal/testkit/pipeline"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/tenants"
	"github.com/ozmon/ozmon/usage"
)

// The real mainnet ledgers in testdata/stellar/mainnet.
const (
	mainnet     = "stellar_mainnet"
	firstLedger = 63092982
	lastLedger  = 63093001
)

// target is one (contract, event signature) pair that exactly one
// transaction of the mainnet ledgers emitted: a monitor on it matches once.
type target struct {
	contract, signature string
	tx                  string
	ledger              uint32
}

// rareTarget finds, from the raw block model (independently of the
// monitor engine), the first event emitted by one transaction only in a
// ledger after the first, so the match happens once the pipeline runs.
func rareTarget(tb testing.TB) (dir string, tg target) {
	tb.Helper()
	dir = testkit.SharedPath(tb, "testdata", "stellar", "mainnet")
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	type seen struct {
		target
		txs map[string]bool
	}
	byKey := map[[2]string]*seen{}
	for _, e := range entries {
		data, err := stellar.ReadLedgerFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		b, err := stellar.DecodeLedgerXDR(mainnet, network.PublicNetworkPassphrase, data)
		if err != nil {
			tb.Fatalf("%s: %v", e.Name(), err)
		}
		if b.Ledger <= firstLedger+2 || b.Ledger > lastLedger {
			continue
		}
		for _, tx := range b.Transactions {
			for _, ev := range tx.Events {
				sig, ok := testkit.EventSignature(ev)
				if ev.OpIndex < 0 || !ok || strings.Contains(sig, "Bytes") {
					continue
				}
				k := [2]string{ev.Contract, sig}
				if byKey[k] == nil {
					byKey[k] = &seen{target: target{contract: ev.Contract, signature: sig, tx: tx.Hash, ledger: uint32(b.Ledger)}, txs: map[string]bool{}}
				}
				byKey[k].txs[tx.Hash] = true
			}
		}
	}
	var out []target
	for _, s := range byKey {
		if len(s.txs) == 1 {
			out = append(out, s.target)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no event emitted by a single transaction in the mainnet ledgers")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].contract+out[i].signature < out[j].contract+out[j].signature })
	return dir, out[0]
}

// networkJSON is the operator's registry entry for mainnet, served by rpc.
func networkJSON(rpc string) []byte {
	return fmt.Appendf(nil, `{"network_type":"Stellar","slug":%q,"name":"Stellar Mainnet","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":%q},"weight":100}],
		"network_passphrase":%q,"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":50,"store_blocks":false}`,
		mainnet, rpc, network.PublicNetworkPassphrase)
}

// pipeline is the worker side of the deployment: the Stellar simulator
// serving real mainnet ledgers, one worker (publishing to the live
// streams, metering usage) and one scheduler (internal/testkit/pipeline),
// and the webhook sink.
type pipeline struct {
	d     *deployment
	sim   *ozmontest.StellarSim
	sink  *ozmontest.WebhookSink
	meter *usage.Meter
	ts    *tenants.Registry
	run   *testpipeline.Pipeline
}

// startPipeline registers mainnet in the operator's registry and starts
// the simulator with its tip at tip, the cursor just before it.
func (d *deployment) startPipeline(ledgerDir string, tip uint32) *pipeline {
	tb := d.t
	tb.Helper()
	p := &pipeline{d: d}
	p.sim = ozmontest.StartStellarSim(tb, ozmontest.SimLedgerDir(ledgerDir), ozmontest.SimPassphrase(network.PublicNetworkPassphrase), ozmontest.SimInitialTip(tip))
	p.sink = ozmontest.StartWebhookSink(tb)
	if err := d.st.UpsertNetwork(context.Background(), mainnet, networkJSON(p.sim.URL())); err != nil {
		tb.Fatalf("register network: %v", err)
	}
	p.run = testpipeline.Start(tb, testpipeline.Config{Store: d.st, Redis: d.rdbOpts, Sim: p.sim, Network: mainnet,
		Cursor: uint64(tip - 1), LivePrefix: livePrefix, Guard: d.guard, Log: d.log})
	p.meter, p.ts = p.run.Meter, p.run.Tenants
	return p
}

// advanceTo makes ledgers appear one by one up to seq, as a chain would.
func (p *pipeline) advanceTo(seq uint32) { p.run.AdvanceTo(p.d.t, seq) }
