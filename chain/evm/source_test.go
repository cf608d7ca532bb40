package evm

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

type fixtureReceipt struct {
	TransactionHash string `json:"transactionHash"`
	Status          string `json:"status"`
	GasUsed         string `json:"gasUsed"`
	Logs            []struct {
		Address  string   `json:"address"`
		Topics   []string `json:"topics"`
		LogIndex string   `json:"logIndex"`
	} `json:"logs"`
}

type fixtureTx struct {
	Hash  string  `json:"hash"`
	From  string  `json:"from"`
	To    *string `json:"to"`
	Value string  `json:"value"`
}

func TestSourceFixtureBlocks(t *testing.T) {
	t.Parallel()
	blocksJSON, receiptsJSON := ozFixtures(t)
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(blocksJSON, receiptsJSON))
	src := &Source{Client: fastClient(t, sim.URL()), Network: "ethereum_mainnet"}
	ctx := context.Background()

	var wrapped []struct {
		EVM struct {
			Number       string      `json:"number"`
			Hash         string      `json:"hash"`
			ParentHash   string      `json:"parentHash"`
			Transactions []fixtureTx `json:"transactions"`
		} `json:"EVM"`
	}
	if err := json.Unmarshal(blocksJSON, &wrapped); err != nil {
		t.Fatal(err)
	}
	var receipts []fixtureReceipt
	if err := json.Unmarshal(receiptsJSON, &receipts); err != nil {
		t.Fatal(err)
	}
	logsByTx := map[string]fixtureReceipt{}
	for _, r := range receipts {
		logsByTx[r.TransactionHash] = r
	}

	tip, err := src.Tip(ctx)
	if err != nil || tip != 26966585 {
		t.Fatalf("tip = %d, %v; want 26966585", tip, err)
	}
	for _, w := range wrapped {
		fb := w.EVM
		n := hexNum(t, fb.Number)
		sim.ResetCalls()
		b, err := src.FetchBlock(ctx, n)
		if err != nil {
			t.Fatalf("block %d: %v", n, err)
		}
		if got := sim.Calls("eth_getBlockByNumber") + sim.Calls("eth_getLogs"); got != 2 ||
			sim.Calls("eth_getLogs") != 1 || sim.Calls("eth_getTransactionReceipt") != 0 {
			t.Fatalf("block %d: calls getBlock %d getLogs %d receipts %d, want 1/1/0", n,
				sim.Calls("eth_getBlockByNumber"), sim.Calls("eth_getLogs"), sim.Calls("eth_getTransactionReceipt"))
		}
		if b.Chain != chain.EVM || b.Network != "ethereum_mainnet" || b.Ledger != n || b.Hash != fb.Hash || b.ParentHash != fb.ParentHash {
			t.Fatalf("block %d header: %+v", n, b)
		}
		if len(b.Transactions) != len(fb.Transactions) {
			t.Fatalf("block %d: %d txs, want %d", n, len(b.Transactions), len(fb.Transactions))
		}
		for i, ft := range fb.Transactions {
			tx := b.Transactions[i]
			x := tx.EVM
			if tx.Hash != strings.ToLower(ft.Hash) || tx.Index != int(x.TransactionIndex)+1 || !tx.Success || x.From != strings.ToLower(ft.From) {
				t.Fatalf("block %d tx %d: %+v", n, i, tx)
			}
			if (ft.To == nil) != (x.To == "") || (ft.To != nil && x.To != strings.ToLower(*ft.To)) {
				t.Fatalf("tx %s to %q, want %v", tx.Hash, x.To, ft.To)
			}
			if x.Value != hexDec(t, ft.Value) || x.Receipt != nil || len(x.Raw) == 0 {
				t.Fatalf("tx %s: value %s want %s, receipt %v", tx.Hash, x.Value, hexDec(t, ft.Value), x.Receipt)
			}
			var raw fixtureTx
			if err := json.Unmarshal(x.Raw, &raw); err != nil || raw.Hash != ft.Hash {
				t.Fatalf("tx %s Raw is not its own object: %.80s (%v)", tx.Hash, x.Raw, err)
			}
			want := logsByTx[tx.Hash].Logs
			if len(x.Logs) != len(want) {
				t.Fatalf("tx %s: %d logs, want %d", tx.Hash, len(x.Logs), len(want))
			}
			for j, l := range x.Logs {
				var rawLog struct {
					LogIndex string `json:"logIndex"`
				}
				if err := json.Unmarshal(l.Raw, &rawLog); err != nil || rawLog.LogIndex != want[j].LogIndex {
					t.Fatalf("tx %s log %d Raw: %.80s (%v)", tx.Hash, j, l.Raw, err)
				}
				if l.Address != strings.ToLower(want[j].Address) || !slices.Equal(l.Topics, want[j].Topics) || l.LogIndex != hexNum(t, want[j].LogIndex) {
					t.Fatalf("tx %s log %d: %+v want %+v", tx.Hash, j, l, want[j])
				}
			}
		}
	}

	// The fixture's details: 0xa39d1b9b… has 6 logs, 0xd5069b22… is the USDC transfer.
	b, err := src.FetchBlock(ctx, 21306058)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.Transactions[0].EVM.Logs); n != 6 || !strings.HasPrefix(b.Transactions[0].Hash, "0xa39d1b9b") {
		t.Fatalf("tx 0 %s has %d logs, want 0xa39d1b9b… with 6", b.Transactions[0].Hash, n)
	}
	usdc := b.Transactions[1]
	if usdc.Hash != "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8" ||
		usdc.EVM.To != "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48" || usdc.EVM.Value != "0" ||
		usdc.EVM.From != "0x58b704065b7aff3ed351052f8560019e05925023" || len(usdc.EVM.Input) != 68 {
		t.Fatalf("USDC transfer: %+v %+v", usdc, usdc.EVM)
	}
	if got := b.Contracts(); !slices.Contains(got, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") ||
		!slices.Contains(got, "0x80a64c6d7f12c47b7c66c5b4e20e72bc1fcd5d9e") {
		t.Fatalf("Contracts() = %v", got)
	}
}

func TestSourceReceiptsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	blocksJSON, receiptsJSON := ozFixtures(t)
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(blocksJSON, receiptsJSON))
	need := false
	src := &Source{Client: fastClient(t, sim.URL()), Network: "ethereum_mainnet", Receipts: func() bool { return need }}
	ctx := context.Background()
	if _, err := src.FetchBlock(ctx, 21306058); err != nil {
		t.Fatal(err)
	}
	if n := sim.Calls("eth_getTransactionReceipt"); n != 0 {
		t.Fatalf("%d receipt calls when not needed", n)
	}
	need = true
	b, err := src.FetchBlock(ctx, 21306058)
	if err != nil {
		t.Fatal(err)
	}
	if n := sim.Calls("eth_getTransactionReceipt"); n != 3 {
		t.Fatalf("%d receipt calls, want 3 (one per tx)", n)
	}
	for _, tx := range b.Transactions {
		r := tx.EVM.Receipt
		if r == nil || r.Status != 1 || !tx.Success || len(r.Raw) == 0 {
			t.Fatalf("tx %s receipt %+v success %v", tx.Hash, r, tx.Success)
		}
	}
	if got := b.Transactions[1].EVM.Receipt.GasUsed; got != "62272" { // 0xf340
		t.Fatalf("gas used %s, want 62272", got)
	}
	if _, err := src.FetchBlock(ctx, 21306059); err != nil { // receipts the sim makes up
		t.Fatal(err)
	}
}

func TestSourceFailedTransactionsFromReceipts(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 3, Blocks: 3, TxPerBlock: 40}))
	src := &Source{Client: fastClient(t, sim.URL()), Network: "synth", Receipts: func() bool { return true }}
	failed, withLogs := 0, 0
	for _, n := range sim.Blocks() {
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Transactions {
			if !tx.Success {
				failed++
				if tx.EVM.Receipt.Status != 0 || len(tx.EVM.Logs) != 0 {
					t.Fatalf("failed tx %s: %+v", tx.Hash, tx.EVM)
				}
			}
			if len(tx.EVM.Logs) > 0 {
				withLogs++
			}
		}
		total := 0
		for _, tx := range b.Transactions {
			total += len(tx.EVM.Logs)
		}
		if total != 40 {
			t.Fatalf("block %d: %d logs, want 40", n, total)
		}
	}
	if failed == 0 || withLogs == 0 {
		t.Fatalf("failed %d, with logs %d: synthetic blocks lack variety", failed, withLogs)
	}
}

func TestSourceBlockNotFound(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Blocks: 2}))
	src := &Source{Client: fastClient(t, sim.URL()), Network: "synth"}
	_, err := src.FetchBlock(context.Background(), sim.Tip()+1)
	if !errors.Is(err, ErrBlockNotFound) || !strings.Contains(err.Error(), "network synth") {
		t.Fatalf("err = %v, want ErrBlockNotFound naming the network", err)
	}
}

func TestSourceReceiptsForBlockAndStaleBlock(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 4, Blocks: 3, TxPerBlock: 6}))
	var asked []uint64
	src := &Source{Client: fastClient(t, sim.URL()), Network: "synth", ReceiptConcurrency: 2}
	// The caller decides per block, as the handlers do from its candidates.
	receiptsFor := func(b *chain.Block) bool {
		asked = append(asked, b.Ledger)
		return len(b.Contracts()) > 0 && b.Ledger == sim.Tip()
	}
	ctx := context.Background()
	b, err := src.FetchBlock(ctx, sim.Tip())
	if err != nil {
		t.Fatal(err)
	}
	if receiptsFor(b) {
		if err := src.AttachReceipts(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if len(asked) != 1 || b.Transactions[0].EVM.Receipt == nil || sim.Calls("eth_getTransactionReceipt") != 6 {
		t.Fatalf("asked %v, receipt %v, %d receipt calls", asked, b.Transactions[0].EVM.Receipt, sim.Calls("eth_getTransactionReceipt"))
	}
	old, err := src.FetchBlock(ctx, sim.Tip()-1)
	if err != nil || old.Transactions[0].EVM.Receipt != nil {
		t.Fatalf("older block: %v, receipt %v", err, old.Transactions[0].EVM.Receipt)
	}
	// The block is replaced before its receipts are fetched: refused, unchanged.
	if _, err := sim.Reorg(2); err != nil {
		t.Fatal(err)
	}
	if err := src.AttachReceipts(ctx, old); err == nil {
		t.Fatal("receipts of a replaced block attached")
	}
	for _, tx := range old.Transactions {
		if tx.EVM.Receipt != nil {
			t.Fatalf("tx %s changed by a failed AttachReceipts", tx.Hash)
		}
	}
}
