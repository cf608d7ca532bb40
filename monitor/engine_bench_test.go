package monitor_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The engine benchmarks run many tenants' monitors against the
// consecutive real mainnet ledgers 63092982–63093001 of the
// shared test data.

const mainnetPassphrase = "Public Global Stellar Network ; September 2015"

type benchData struct {
	blocks    []*chain.Block
	contracts []string                       // every contract the ledgers touch
	specs     map[string]*chain.ContractSpec // a spec per called contract, from its calls
}

func loadMainnet(b testing.TB) *benchData {
	b.Helper()
	dir := testkit.SharedPath(b, "testdata", "stellar", "mainnet")
	files, err := filepath.Glob(filepath.Join(dir, "ledger-630*.xdr.gz"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no mainnet ledgers in %s: %v", dir, err)
	}
	slices.Sort(files)
	d := &benchData{specs: map[string]*chain.ContractSpec{}}
	seen := map[string]bool{}
	for _, f := range files {
		gz, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		blk, err := stellar.DecodeLedgerXDR("stellar_mainnet", mainnetPassphrase, raw)
		if err != nil {
			b.Fatalf("decode %s: %v", f, err)
		}
		d.blocks = append(d.blocks, blk)
		for _, c := range blk.Contracts() {
			if !seen[c] {
				seen[c] = true
				d.contracts = append(d.contracts, c)
			}
		}
		// A spec per contract shaped after the calls seen, standing for the
		// spec the handlers fetch once from the network and share.
		for _, tx := range blk.Transactions {
			for _, op := range tx.Operations {
				c := op.Call
				if c == nil {
					continue
				}
				s := d.specs[c.Contract]
				if s == nil {
					s = &chain.ContractSpec{}
					d.specs[c.Contract] = s
				}
				if s.Function(c.Function) != nil {
					continue
				}
				f := chain.SpecFunction{Name: c.Function}
				kinds := make([]string, len(c.Args))
				for i, a := range c.Args {
					kinds[i] = a.TypeName()
					f.Inputs = append(f.Inputs, chain.SpecInput{Index: i, Name: fmt.Sprint("arg", i), Kind: kinds[i]})
				}
				f.Signature = c.Function + "(" + strings.Join(kinds, ",") + ")"
				s.Functions = append(s.Functions, f)
			}
		}
	}
	return d
}

func randomContract(r *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var sb strings.Builder
	sb.WriteByte('C')
	for i := 0; i < 55; i++ {
		sb.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

func mustParse(b *testing.B, src string) *expr.Expr {
	e, err := expr.Parse(src)
	if err != nil {
		b.Fatalf("parse %q: %v", src, err)
	}
	return e
}

// benchMonitor returns one tenant's monitor. kind: "tx" (transaction-only
// with a selective expression), "hot" (a contract of the ledgers) or
// "cold" (a random contract no ledger touches).
func benchMonitor(b *testing.B, r *rand.Rand, d *benchData, name, kind string) *ozconfig.Monitor {
	m := &ozconfig.Monitor{Name: name, Networks: []string{"stellar_mainnet"}, Triggers: []string{"t"}}
	if kind == "tx" {
		src := fmt.Sprintf("value > %d", 100000000000+r.IntN(1000000))
		status := []ozconfig.TransactionStatus{ozconfig.StatusAny, ozconfig.StatusSuccess}[r.IntN(2)]
		m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: status, Expression: src, Expr: mustParse(b, src)}}
		return m
	}
	addr := randomContract(r)
	if kind == "hot" {
		addr = d.contracts[r.IntN(len(d.contracts))]
	}
	m.Addresses = []ozconfig.MonitorAddress{{Address: addr}}
	switch r.IntN(4) {
	case 0: // every transfer event of the contract
		m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "transfer(Address,Address,String,I128)"}}
	case 1: // large transfers only
		src := fmt.Sprintf("3 > %d", 1000000000+r.IntN(1000)*10000000)
		m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "transfer(Address,Address,String,I128)", Expression: src, Expr: mustParse(b, src)}}
	case 2: // a function of the contract, as seen in the ledgers
		sig := "transfer(Address,Address,I128)"
		if s := d.specs[addr]; s != nil && len(s.Functions) > 0 {
			sig = s.Functions[r.IntN(len(s.Functions))].Signature
		}
		m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: sig}}
	default: // events and a successful transaction
		src := "value >= 0"
		m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "transfer(Address,Address,String,I128)"}}
		m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess, Expression: src, Expr: mustParse(b, src)}}
	}
	return m
}

// benchTenants builds tenants×perTenant compiled monitors. The first
// hotTenants tenants hold the monitors that can match (10 % on contracts
// of the ledgers, 5 % transaction-only); all others watch random contracts.
func benchTenants(b *testing.B, d *benchData, tenants, perTenant, hotTenants int) map[string][]*monitor.CompiledMonitor {
	r := rand.New(rand.NewPCG(1, 2))
	specs := func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		return d.specs[contract], nil
	}
	out := make(map[string][]*monitor.CompiledMonitor, tenants)
	n := 0
	for t := 0; t < tenants; t++ {
		tenant := fmt.Sprintf("tenant-%05d", t)
		for i := 0; i < perTenant; i++ {
			kind := "cold"
			if t < hotTenants {
				switch x := n % 20; {
				case x == 0:
					kind = "tx"
				case x <= 2:
					kind = "hot"
				}
			}
			n++
			m := benchMonitor(b, r, d, fmt.Sprint("monitor-", i), kind)
			cm, err := monitor.Compile(tenant, m, specs)
			if err != nil {
				b.Fatal(err)
			}
			out[tenant] = append(out[tenant], cm)
		}
	}
	return out
}

func buildIndex(b *testing.B, byTenant map[string][]*monitor.CompiledMonitor) *monitor.Index {
	ix := monitor.NewIndex("stellar_mainnet")
	for t, ms := range byTenant {
		if err := ix.SetTenant(t, ms); err != nil {
			b.Fatal(err)
		}
	}
	return ix
}

// evaluateLedger is what the pipeline does per ledger: find candidate
// tenants and monitors, prepare the block once, evaluate each tenant.
func evaluateLedger(b *testing.B, e *monitor.Engine, ix *monitor.Index, blk *chain.Block) (matches, candidates int) {
	p, err := e.Prepare(blk)
	if err != nil {
		b.Fatal(err)
	}
	for _, tm := range ix.Candidates(blk) {
		candidates += len(tm.Monitors)
		ms, err := e.EvaluateTenant(context.Background(), tm.TenantID, p, tm.Monitors)
		if err != nil {
			b.Fatal(err)
		}
		matches += len(ms)
	}
	return matches, candidates
}

// BenchmarkEvaluateLedger: one op = one real mainnet ledger against all
// monitors. "realistic" keeps 15 % of the monitors able to match, so the
// work grows with them; "fixed-hot" keeps the same 150 matching-capable
// monitors and only adds monitors on random contracts, so the time must
// stay flat as the monitor count grows.
func BenchmarkEvaluateLedger(b *testing.B) {
	d := loadMainnet(b)
	e := monitor.NewEngine()
	for _, mode := range []string{"realistic", "fixed-hot"} {
		for _, total := range []int{1000, 10000, 50000} {
			tenants := total / 5
			hot := tenants
			if mode == "fixed-hot" {
				hot = 200
			}
			byTenant := benchTenants(b, d, tenants, 5, hot)
			ix := buildIndex(b, byTenant)
			b.Run(fmt.Sprintf("%s/monitors=%d", mode, total), func(b *testing.B) {
				var matches, candidates int
				b.ReportAllocs()
				cpu0 := cpuTime()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					m, c := evaluateLedger(b, e, ix, d.blocks[i%len(d.blocks)])
					matches += m
					candidates += c
				}
				b.StopTimer()
				// The machine is shared: process CPU time per ledger says
				// what one core spends, whatever the wall clock.
				b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/ledger")
				b.ReportMetric(float64(matches)/float64(b.N), "matches/ledger")
				b.ReportMetric(float64(candidates)/float64(b.N), "candidates/ledger")
			})
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIndexBuild: indexing 10,000 tenants × 5 monitors (compiled
// beforehand, as the workers keep them).
func BenchmarkIndexBuild(b *testing.B) {
	d := loadMainnet(b)
	byTenant := benchTenants(b, d, 10000, 5, 10000)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := buildIndex(b, byTenant)
		if ix.Len() != 50000 {
			b.Fatalf("indexed %d monitors", ix.Len())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkCompile50k: compiling 50,000 monitors (addresses, specs,
// signatures; expressions are parsed by the config loader).
func BenchmarkCompile50k(b *testing.B) {
	d := loadMainnet(b)
	r := rand.New(rand.NewPCG(3, 4))
	ms := make([]*ozconfig.Monitor, 50000)
	for i := range ms {
		kind := []string{"tx", "hot", "cold", "cold"}[i%4]
		ms[i] = benchMonitor(b, r, d, fmt.Sprint("m", i), kind)
	}
	specs := func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		return d.specs[contract], nil
	}
	tenants := make([]string, len(ms))
	for j := range tenants {
		tenants[j] = fmt.Sprint("t", j/5)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, m := range ms {
			if _, err := monitor.Compile(tenants[j], m, specs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
