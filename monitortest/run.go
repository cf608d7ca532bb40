package monitortest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// tenant owns the monitor under test; matches carry it.
const tenant = "monitortest"

// Matches is what one monitor matched over a set of ledgers (on EVM,
// blocks; on Solana, slots).
type Matches struct {
	Monitor string           // the monitor's name
	Network string           // the network slug the ledgers were decoded for
	Ledgers []uint64         // every ledger evaluated, in order
	All     []*monitor.Match // the matches, in ledger and transaction order
}

// Stellar evaluates monitorJSON over Stellar LedgerCloseMeta files (raw
// XDR or base64, plain, gzip or zstd: .xdr, .xdr.gz, .xdr.zst) as the
// workers would, on the monitor's first network, which must be built in
// (stellar_mainnet, stellar_testnet). Any error fails tb at once.
func Stellar(tb testing.TB, monitorJSON string, ledgerFiles ...string) Matches {
	tb.Helper()
	mon, netw := parse(tb, monitorJSON, ozconfig.NetworkStellar)
	specs := func(_, _ string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) == 0 {
			return nil, nil // no RPC to read it from: calls cannot match
		}
		return stellar.ParseSpecJSON(inline)
	}
	cm, err := monitor.Compile(tenant, mon, specs, monitor.WithChain(chain.Stellar))
	if err != nil {
		tb.Fatalf("monitortest: compile monitor %.100q: %v", mon.Name, err)
	}
	var blocks []*chain.Block
	for _, p := range ledgerFiles {
		raw, err := stellar.ReadLedgerFile(p)
		if err != nil {
			tb.Fatalf("monitortest: read ledger file: %v", err)
		}
		b, err := stellar.DecodeLedgerXDR(netw.Slug, netw.NetworkPassphrase, raw)
		if err != nil {
			tb.Fatalf("monitortest: decode ledger file %s: %v", p, err)
		}
		blocks = append(blocks, b)
	}
	return evaluate(tb, cm, netw.Slug, blocks)
}

// EVM evaluates monitorJSON over the blocks of blocksFile, in OpenZeppelin
// Monitor's fixture format (a JSON array of {"EVM": block}, each block as
// eth_getBlockByNumber returns it with full transactions), on the
// monitor's first network, which must be built in (ethereum_mainnet,
// anvil_local). receiptsFile ("" for none) is a JSON array of
// eth_getTransactionReceipt results: their logs are the blocks' logs, and
// the receipts themselves are attached when the monitor needs them, as
// the pipeline attaches them.
func EVM(tb testing.TB, monitorJSON, blocksFile, receiptsFile string) Matches {
	tb.Helper()
	mon, netw := parse(tb, monitorJSON, ozconfig.NetworkEVM)
	abis := evm.NewABICache()
	source := func(_, _ string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		abi, err := abis.Get(inline)
		if abi == nil {
			return nil, err // no ABI, or a bad one: never a typed nil
		}
		return abi, nil
	}
	cm, err := monitor.Compile(tenant, mon, nil, monitor.WithABISource(source), monitor.WithChain(chain.EVM))
	if err != nil {
		tb.Fatalf("monitortest: compile monitor %.100q: %v", mon.Name, err)
	}
	var wrapped []struct {
		EVM json.RawMessage `json:"EVM"`
	}
	readJSON(tb, blocksFile, &wrapped)
	var logs []evm.Log
	receipts := map[string]*evm.Receipt{}
	if receiptsFile != "" {
		var raws []json.RawMessage
		readJSON(tb, receiptsFile, &raws)
		for i, raw := range raws {
			r, err := evm.DecodeReceipt(raw)
			if err != nil {
				tb.Fatalf("monitortest: %s: receipt %d: %v", receiptsFile, i, err)
			}
			receipts[r.TxHash] = r
			logs = append(logs, r.Logs...)
		}
	}
	if !monitor.NeedsReceipts([]*monitor.CompiledMonitor{cm}) {
		receipts = nil
	}
	var blocks []*chain.Block
	for i, w := range wrapped {
		rb, err := evm.DecodeBlock(w.EVM)
		if err != nil {
			tb.Fatalf("monitortest: %s: block %d: %v", blocksFile, i, err)
		}
		// Each block gets the logs of its own transactions.
		own := slices.DeleteFunc(slices.Clone(logs), func(l evm.Log) bool {
			return !slices.ContainsFunc(rb.Transactions, func(tx chain.Transaction) bool { return tx.Hash == l.TxHash })
		})
		b, err := evm.Assemble(netw.Slug, rb, own, receipts)
		if err != nil {
			tb.Fatalf("monitortest: %s: block %d: %v", blocksFile, i, err)
		}
		blocks = append(blocks, b)
	}
	return evaluate(tb, cm, netw.Slug, blocks)
}

// Solana evaluates monitorJSON over the blocks of blocksFile, in
// OpenZeppelin Monitor's fixture format (a JSON array of blocks in its
// Solana model, as its blocks.json; a {"Solana": block} wrapper, as its
// stored blocks, is accepted too), on the monitor's first network
// (solana_mainnet or solana_devnet, or any network the monitor names: a
// Solana block file needs no network settings). Anchor IDLs given as
// contract_spec decode instructions and events, as in the pipeline.
func Solana(tb testing.TB, monitorJSON, blocksFile string) Matches {
	tb.Helper()
	mon, netw := parse(tb, monitorJSON, ozconfig.NetworkSolana)
	cm, err := monitor.Compile(tenant, mon, nil, monitor.WithChain(chain.Solana))
	if err != nil {
		tb.Fatalf("monitortest: compile monitor %.100q: %v", mon.Name, err)
	}
	var raws []json.RawMessage
	readJSON(tb, blocksFile, &raws)
	blocks := make([]*chain.Block, 0, len(raws))
	for i, raw := range raws {
		b, err := chain.SolanaBlockFromModel(netw.Slug, raw)
		if err != nil {
			tb.Fatalf("monitortest: %s: block %d: %v", blocksFile, i, err)
		}
		blocks = append(blocks, b)
	}
	return evaluate(tb, cm, netw.Slug, blocks)
}

// Midnight evaluates monitorJSON over the blocks of blocksFile, in
// OpenZeppelin Monitor's Midnight fixture format (a JSON array of
// {"Midnight": block}, as its blocks.json), on the monitor's first network
// (any slug: a Midnight block file needs no network settings). An item may
// carry the block's decoded events beside it ("events": the node's
// midnight_decodeEvents elements); without them every transaction counts
// as failed (chain.MidnightBlocksFromFile).
func Midnight(tb testing.TB, monitorJSON, blocksFile string) Matches {
	tb.Helper()
	mon, netw := parse(tb, monitorJSON, ozconfig.NetworkMidnight)
	cm, err := monitor.Compile(tenant, mon, nil, monitor.WithChain(chain.Midnight))
	if err != nil {
		tb.Fatalf("monitortest: compile monitor %.100q: %v", mon.Name, err)
	}
	data, err := os.ReadFile(blocksFile)
	if err != nil {
		tb.Fatalf("monitortest: %v", err)
	}
	blocks, err := chain.MidnightBlocksFromFile(netw.Slug, data)
	if err != nil {
		tb.Fatalf("monitortest: %s: %v", blocksFile, err)
	}
	return evaluate(tb, cm, netw.Slug, blocks)
}

// parse reads the monitor and its first network, which must be a built-in
// network of the given type.
func parse(tb testing.TB, monitorJSON string, want ozconfig.NetworkType) (*ozconfig.Monitor, *ozconfig.Network) {
	tb.Helper()
	mon, err := ozconfig.ParseMonitor("monitor", []byte(monitorJSON))
	if err != nil {
		tb.Fatalf("monitortest: parse monitor: %v", err)
	}
	if len(mon.Networks) == 0 {
		tb.Fatalf("monitortest: monitor %.100q names no network", mon.Name)
	}
	// CI checks a monitor before it goes live: paused or not, it runs.
	mon.Paused = false
	slug := mon.Networks[0]
	netw, ok := ozconfig.BuiltinNetwork(slug)
	if !ok && (want == ozconfig.NetworkSolana || want == ozconfig.NetworkMidnight) {
		// Block files carry everything a Solana or Midnight evaluation needs.
		netw, ok = &ozconfig.Network{NetworkType: want, Slug: slug, Name: slug}, true
	}
	if !ok {
		tb.Fatalf("monitortest: monitor %.100q: network %.100q is not built in (stellar_mainnet, stellar_testnet, ethereum_mainnet, anvil_local)", mon.Name, slug)
	}
	if netw.NetworkType != want {
		tb.Fatalf("monitortest: monitor %.100q: network %s is %s, not %s", mon.Name, slug, netw.NetworkType, want)
	}
	return mon, netw
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("monitortest: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("monitortest: %s: %v", path, err)
	}
}

// evaluate runs cm over blocks, oldest first.
func evaluate(tb testing.TB, cm *monitor.CompiledMonitor, network string, blocks []*chain.Block) Matches {
	tb.Helper()
	slices.SortStableFunc(blocks, func(a, b *chain.Block) int { return cmp.Compare(a.Ledger, b.Ledger) })
	ms := Matches{Monitor: cm.Name, Network: network}
	engine := monitor.NewEngine()
	for _, b := range blocks {
		found, err := engine.EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
		if err != nil {
			tb.Fatalf("monitortest: evaluate ledger %d: %v", b.Ledger, err)
		}
		ms.Ledgers = append(ms.Ledgers, b.Ledger)
		ms.All = append(ms.All, found...)
	}
	return ms
}

// describe is one match in a failure message: where, and on what (each
// condition once, with how often it matched).
func describe(m *monitor.Match) string {
	var on []string
	count := map[string]int{}
	add := func(s string) {
		if count[s] == 0 {
			on = append(on, s)
		}
		count[s]++
	}
	for _, f := range m.MatchedOn.Functions {
		add("function " + f.Signature)
	}
	for _, e := range m.MatchedOn.Events {
		add("event " + e.Signature)
	}
	for _, x := range m.MatchedOn.Transactions {
		add("transaction " + x.Status)
	}
	for i, s := range on {
		if n := count[s]; n > 1 {
			on[i] = fmt.Sprintf("%s ×%d", s, n)
		}
	}
	where := fmt.Sprintf("ledger %d tx %s", m.Ledger, m.Transaction.Hash)
	if len(on) == 0 {
		return where
	}
	return where + " (" + strings.Join(on, ", ") + ")"
}
