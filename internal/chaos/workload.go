package chaos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/stellar/go-stellar-sdk/network"
)

// The network and the ledgers the suite replays: 20 consecutive mainnet
// ledgers. With confirmation_blocks 1 (ozmon's minimum) the last one is
// never confirmed, so 19 are processed: FirstLedger..LastConfirmed.
const (
	Network       = "stellar_mainnet"
	FirstLedger   = 63092982
	LastLedger    = 63093001
	LastConfirmed = LastLedger - 1
	// Trigger is the one webhook trigger each tenant's monitors use.
	Trigger = "hook"
)

// Key identifies one notification: one match through one trigger. It is
// what a deliver task's TaskID is made of, with the tenant's slug in
// place of its id.
type Key struct {
	Tenant  string
	Monitor string
	Ledger  uint64
	TxHash  string
	Trigger string
}

func (k Key) String() string {
	return fmt.Sprintf("%s/%s@%d/%s/%s", k.Tenant, k.Monitor, k.Ledger, shortHash(k.TxHash), k.Trigger)
}

func shortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}

// MonitorSpec is one tenant monitor: an event signature of one contract.
type MonitorSpec struct {
	Name      string
	Contract  string
	Signature string
	JSON      []byte // OpenZeppelin Monitor JSON
}

// TenantSpec is one tenant and its monitors.
type TenantSpec struct {
	Slug     string
	Monitors []MonitorSpec
}

// Workload is what every scenario replays: the tenants' monitors and the
// notifications they must produce over the processed ledgers.
type Workload struct {
	LedgerDir string
	Tenants   []TenantSpec
	// Expected is every notification the processed ledgers must produce,
	// computed by running the monitors through the engine in-process.
	Expected []Key
	// Padded counts the monitors given a padded expression
	// (WithPaddedExpression).
	Padded   int
	expected map[Key]bool
	// txLedger maps a transaction hash to its ledger: a webhook names the
	// transaction, the ledger follows.
	txLedger map[string]uint64
}

// LoadWorkload decodes the ledgers in dir and builds tenants×perTenant
// monitors over event targets that a handful of transactions emit, so the
// suite gets several hundred notifications spread over the ledgers, then
// computes the expected set with monitor.Engine.
func LoadWorkload(ctx context.Context, dir string, tenants, perTenant int, opts ...WorkloadOption) (*Workload, error) {
	var o workloadOptions
	for _, opt := range opts {
		opt(&o)
	}
	blocks, err := decodeLedgers(dir)
	if err != nil {
		return nil, err
	}
	w := &Workload{LedgerDir: dir, expected: map[Key]bool{}, txLedger: map[string]uint64{}}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			w.txLedger[tx.Hash] = b.Ledger
		}
	}
	targets := eventTargets(blocks, 2, 9)
	if len(targets) < tenants*perTenant {
		return nil, fmt.Errorf("workload: %d event targets for %d monitors", len(targets), tenants*perTenant)
	}
	engine := monitor.NewEngine()
	var compiled []*monitor.CompiledMonitor
	for i := range tenants {
		t := TenantSpec{Slug: fmt.Sprintf("tenant-%02d", i)}
		for j := range perTenant {
			tg := targets[i*perTenant+j]
			ms := MonitorSpec{Name: fmt.Sprintf("mon-%d", j), Contract: tg.contract, Signature: tg.signature}
			event := map[string]any{"signature": tg.signature}
			if o.padTenant == t.Slug && strings.Contains(tg.signature, "(Address") {
				event["expression"] = paddedExpression(o.padBytes)
				w.Padded++
			}
			ms.JSON, err = json.Marshal(map[string]any{
				"name": ms.Name, "paused": false, "networks": []string{Network},
				"addresses": []any{map[string]any{"address": tg.contract}},
				"match_conditions": map[string]any{"functions": []any{}, "transactions": []any{},
					"events": []any{event}},
				"trigger_conditions": []any{}, "triggers": []string{Trigger},
			})
			if err != nil {
				return nil, err
			}
			m, err := ozconfig.ParseMonitor(t.Slug+"/"+ms.Name, ms.JSON)
			if err != nil {
				return nil, fmt.Errorf("workload: monitor %s/%s: %w", t.Slug, ms.Name, err)
			}
			// No contract specs: the simulator serves none, so the
			// workers' spec lookups find none either.
			cm, err := monitor.Compile(t.Slug, m, nil, monitor.WithChain(chain.Stellar))
			if err != nil {
				return nil, fmt.Errorf("workload: compile %s/%s: %w", t.Slug, ms.Name, err)
			}
			compiled = append(compiled, cm)
			t.Monitors = append(t.Monitors, ms)
		}
		w.Tenants = append(w.Tenants, t)
	}
	for _, b := range blocks {
		matches, err := engine.EvaluateBlock(ctx, b, compiled)
		if err != nil {
			return nil, fmt.Errorf("workload: evaluate ledger %d: %w", b.Ledger, err)
		}
		for _, m := range matches {
			for _, trig := range m.Monitor.Config.Triggers {
				k := Key{Tenant: m.TenantID, Monitor: m.MonitorName, Ledger: b.Ledger, TxHash: m.Transaction.Hash, Trigger: trig}
				if !w.expected[k] {
					w.expected[k] = true
					w.Expected = append(w.Expected, k)
				}
			}
		}
	}
	return w, nil
}

// WorkloadOption changes the monitors LoadWorkload builds.
type WorkloadOption func(*workloadOptions)

type workloadOptions struct {
	padTenant string
	padBytes  int
}

// WithPaddedExpression gives the tenant's monitors whose event's first
// argument is an Address an expression of about n bytes that every such
// event satisfies: a hostile tenant making its monitors as large as the
// limits allow while still matching (Workload.Padded counts them).
func WithPaddedExpression(tenant string, n int) WorkloadOption {
	return func(o *workloadOptions) { o.padTenant, o.padBytes = tenant, n }
}

// paddedExpression is `0 != "AAA…"` clauses joined by OR, about n bytes:
// true for any address, as large as asked.
func paddedExpression(n int) string {
	clause := `0 != "` + strings.Repeat("A", 56) + `"`
	var b strings.Builder
	b.WriteString(clause)
	for b.Len()+len(clause)+4 <= n {
		b.WriteString(" OR ")
		b.WriteString(clause)
	}
	return b.String()
}

// Expects reports whether k is an expected notification.
func (w *Workload) Expects(k Key) bool { return w.expected[k] }

// KeyOf names the notification an arrival carries; false when the
// arrival does not name one (an unparsable body, an unknown transaction).
func (w *Workload) KeyOf(a Arrival) (Key, bool) {
	l, ok := w.txLedger[a.TxHash]
	if !ok || a.Tenant == "" || a.Monitor == "" {
		return Key{}, false
	}
	return Key{Tenant: a.Tenant, Monitor: a.Monitor, Ledger: l, TxHash: a.TxHash, Trigger: a.Trigger}, true
}

// Busiest returns the n tenants with the most expected notifications,
// most first.
func (w *Workload) Busiest(n int) []string {
	count := map[string]int{}
	for _, k := range w.Expected {
		count[k.Tenant]++
	}
	slugs := make([]string, 0, len(w.Tenants))
	for _, t := range w.Tenants {
		slugs = append(slugs, t.Slug)
	}
	slices.SortStableFunc(slugs, func(a, b string) int { return count[b] - count[a] })
	return slugs[:min(n, len(slugs))]
}

// PerLedger counts the expected notifications of each ledger.
func (w *Workload) PerLedger() map[uint64]int {
	out := map[uint64]int{}
	for _, k := range w.Expected {
		out[k.Ledger]++
	}
	return out
}

// decodeLedgers reads the processed ledgers FirstLedger..LastConfirmed.
func decodeLedgers(dir string) ([]*chain.Block, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	var blocks []*chain.Block
	for _, e := range entries {
		data, err := stellar.ReadLedgerFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // not a ledger file
		}
		b, err := stellar.DecodeLedgerXDR(Network, network.PublicNetworkPassphrase, data)
		if err != nil {
			return nil, fmt.Errorf("workload: %s: %w", e.Name(), err)
		}
		if b.Ledger >= FirstLedger && b.Ledger <= LastConfirmed {
			blocks = append(blocks, b)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Ledger < blocks[j].Ledger })
	if len(blocks) != LastConfirmed-FirstLedger+1 {
		return nil, fmt.Errorf("workload: found %d of the %d ledgers %d..%d in %s", len(blocks), LastConfirmed-FirstLedger+1, FirstLedger, LastConfirmed, dir)
	}
	return blocks, nil
}

type eventTarget struct {
	contract, signature string
	txs                 int
}

// eventTargets lists (contract, event signature) pairs emitted by between
// lo and hi transactions, in an order fixed by a hash of the pair so that
// consecutive monitors watch unrelated contracts. The signatures are
// spelled as a monitor without a contract spec sees them.
func eventTargets(blocks []*chain.Block, lo, hi int) []eventTarget {
	txs := map[[2]string]map[string]bool{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			for _, ev := range tx.Events {
				if ev.OpIndex < 0 {
					continue // transaction-level fee events
				}
				sig, ok := testkit.EventSignature(ev)
				if !ok || strings.Contains(sig, "Bytes") {
					continue // non-empty bytes have no comparable kind
				}
				k := [2]string{ev.Contract, sig}
				if txs[k] == nil {
					txs[k] = map[string]bool{}
				}
				txs[k][tx.Hash] = true
			}
		}
	}
	var out []eventTarget
	for k, set := range txs {
		if len(set) >= lo && len(set) <= hi {
			out = append(out, eventTarget{contract: k[0], signature: k[1], txs: len(set)})
		}
	}
	order := func(t eventTarget) string {
		sum := sha256.Sum256([]byte(t.contract + "|" + t.signature))
		return hex.EncodeToString(sum[:])
	}
	slices.SortFunc(out, func(a, b eventTarget) int { return strings.Compare(order(a), order(b)) })
	return out
}
