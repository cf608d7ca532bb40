package monitor_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

func names(tms []monitor.TenantMonitors) []string {
	var out []string
	for _, tm := range tms {
		for _, m := range tm.Monitors {
			out = append(out, tm.TenantID+"/"+m.Name)
		}
	}
	return out
}

func eventMonitor(t testing.TB, tenant, name string, addrs ...string) *monitor.CompiledMonitor {
	return compileSpec(t, tenant, monitorSpec{name: name, addresses: addrs, events: [][2]string{{"transfer(Address,Address,I128)", ""}}}, nil)
}

func TestIndexCandidatesOnlyForTouchedContracts(t *testing.T) {
	t.Parallel()
	ix := monitor.NewIndex("stellar_mainnet")
	if err := ix.SetTenant("t1", []*monitor.CompiledMonitor{
		eventMonitor(t, "t1", "on-a", cA),
		eventMonitor(t, "t1", "on-b", cB),
		eventMonitor(t, "t1", "on-a-and-b", strings.ToLower(cB), " "+cA),
		compileSpec(t, "t1", monitorSpec{name: "tx-only", txs: [][2]string{{"Success", "value > 5"}}}, nil),
		compileSpec(t, "t1", monitorSpec{name: "functions-without-address", functions: [][2]string{{"f()", ""}}}, nil),
	}); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetTenant("t2", []*monitor.CompiledMonitor{eventMonitor(t, "t2", "on-b", cB)}); err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 5 {
		t.Fatalf("Len = %d, want 5 (the monitor with functions but no address can never match)", ix.Len())
	}

	x := tx("h", true)
	x.Events = []chain.Event{transferEvent(cA, 1)}
	onlyA := newBlock(x)
	wantEqual(t, "candidates for a block touching A", names(ix.Candidates(onlyA)), []string{"t1/on-a", "t1/on-a-and-b", "t1/tx-only"})
	wantEqual(t, "tenants for a block touching A", ix.TenantsFor(onlyA), []string{"t1"})

	both := newBlock(tx("h1", true, callOp(cB, "f")), tx("h2", true, callOp(cA, "f")))
	wantEqual(t, "candidates for a block touching A and B", names(ix.Candidates(both)),
		[]string{"t1/on-a", "t1/on-b", "t1/on-a-and-b", "t1/tx-only", "t2/on-b"})
	wantEqual(t, "tenants for a block touching A and B", ix.TenantsFor(both), []string{"t1", "t2"})

	// A batch of tenants sees the same candidates as the whole index.
	wantEqual(t, "candidates of t2 (and an unknown tenant)", names(ix.CandidatesOf(both, []string{"t2", "nobody", "t2"})), []string{"t2/on-b"})
	wantEqual(t, "candidates of both tenants", names(ix.CandidatesOf(both, []string{"t2", "t1"})), names(ix.Candidates(both)))
	wantEqual(t, "candidates of t2 for a block touching A", names(ix.CandidatesOf(onlyA, []string{"t2"})), []string(nil))
	// So does a batch on the prepared block, as the evaluate handler asks.
	prep, err := monitor.NewEngine().Prepare(both)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "candidates of both tenants, prepared", names(ix.CandidatesOfPrepared(prep, []string{"t2", "t1"})), names(ix.Candidates(both)))
	wantEqual(t, "candidates of t2, prepared", names(ix.CandidatesOfPrepared(prep, []string{"t2", "nobody"})), []string{"t2/on-b"})
	// A prepared block sees the index as it is when a batch asks, not as
	// it was when the block was first asked about.
	if err := ix.SetTenant("t2", []*monitor.CompiledMonitor{eventMonitor(t, "t2", "on-a", cA), eventMonitor(t, "t2", "on-b-again", cB)}); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "candidates of t2, prepared, after t2 changed", names(ix.CandidatesOfPrepared(prep, []string{"t2"})), []string{"t2/on-a", "t2/on-b-again"})
	ix.RemoveTenant("t1")
	wantEqual(t, "candidates of both tenants, prepared, after t1 left", names(ix.CandidatesOfPrepared(prep, []string{"t1", "t2"})), []string{"t2/on-a", "t2/on-b-again"})

	other := newBlock(tx("h", true, callOp("COTHER", "f")))
	other.Network = "stellar_testnet"
	if c := ix.Candidates(other); len(c) != 0 {
		t.Fatalf("block of another network has candidates %v", names(c))
	}
}

func TestIndexReplaceAndRemoveTenant(t *testing.T) {
	t.Parallel()
	ix := monitor.NewIndex("stellar_mainnet")
	_ = ix.SetTenant("t1", []*monitor.CompiledMonitor{eventMonitor(t, "t1", "old", cA)})
	_ = ix.SetTenant("t2", []*monitor.CompiledMonitor{eventMonitor(t, "t2", "keep", cA)})
	b := newBlock(tx("h", true, callOp(cA, "f")), tx("h2", true, callOp(cB, "f")))

	// Replacing t1 drops its old address and keeps t2 untouched.
	_ = ix.SetTenant("t1", []*monitor.CompiledMonitor{eventMonitor(t, "t1", "new", cB)})
	wantEqual(t, "after replace", names(ix.Candidates(b)), []string{"t1/new", "t2/keep"})
	onlyA := newBlock(tx("h", true, callOp(cA, "f")))
	wantEqual(t, "A after replace", names(ix.Candidates(onlyA)), []string{"t2/keep"})

	ix.RemoveTenant("t2")
	wantEqual(t, "after remove", names(ix.Candidates(b)), []string{"t1/new"})
	if ix.Len() != 1 || ix.Tenant("t2") != nil {
		t.Fatalf("after remove: Len %d, t2 %v", ix.Len(), ix.Tenant("t2"))
	}

	// Paused monitors and monitors of other networks are left out.
	paused := eventMonitor(t, "t1", "paused", cA)
	paused.Paused = true
	elsewhere := eventMonitor(t, "t1", "elsewhere", cA)
	elsewhere.Networks = []string{"stellar_testnet"}
	_ = ix.SetTenant("t1", []*monitor.CompiledMonitor{paused, elsewhere})
	if ix.Len() != 0 || len(ix.Candidates(b)) != 0 {
		t.Fatalf("paused/other-network monitors indexed: %v", names(ix.Candidates(b)))
	}

	// A monitor of another tenant is refused.
	if err := ix.SetTenant("t1", []*monitor.CompiledMonitor{eventMonitor(t, "t2", "intruder", cA)}); err == nil {
		t.Fatal("SetTenant accepted a monitor of another tenant")
	}
}

// TestIndexSameNameTwoTenants: names are unique only within a tenant, so
// two tenants' monitors of the same name stay distinct, in the index and
// in the matches.
func TestIndexSameNameTwoTenants(t *testing.T) {
	t.Parallel()
	ix := monitor.NewIndex("stellar_mainnet")
	m1 := eventMonitor(t, "alice", "Large transfers", cA)
	m2 := eventMonitor(t, "bob", "Large transfers", cA)
	_ = ix.SetTenant("alice", []*monitor.CompiledMonitor{m1})
	_ = ix.SetTenant("bob", []*monitor.CompiledMonitor{m2})
	x := tx("h", true)
	x.Events = []chain.Event{transferEvent(cA, 1)}
	b := newBlock(x)
	cands := ix.Candidates(b)
	wantEqual(t, "candidates", names(cands), []string{"alice/Large transfers", "bob/Large transfers"})
	var all []*monitor.CompiledMonitor
	for _, c := range cands {
		all = append(all, c.Monitors...)
	}
	var got []string
	for _, m := range run(t, b, all...) {
		got = append(got, m.TenantID+"/"+m.MonitorName)
	}
	wantEqual(t, "matches", got, []string{"alice/Large transfers", "bob/Large transfers"})
	ix.RemoveTenant("alice")
	wantEqual(t, "after removing alice", names(ix.Candidates(b)), []string{"bob/Large transfers"})
}

// TestIndexConcurrentReadersAndWriters runs under -race in CI.
func TestIndexConcurrentReadersAndWriters(t *testing.T) {
	t.Parallel()
	ix := monitor.NewIndex("stellar_mainnet")
	b := newBlock(tx("h", true, callOp(cA, "f")))
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			tenant := fmt.Sprint("t", w)
			for i := 0; i < 50; i++ {
				_ = ix.SetTenant(tenant, []*monitor.CompiledMonitor{eventMonitor(t, tenant, "m", cA)})
				for _, c := range ix.Candidates(b) {
					if len(c.Monitors) != 1 || c.Monitors[0].TenantID != c.TenantID {
						t.Errorf("inconsistent candidates %+v", c)
					}
				}
				ix.RemoveTenant(tenant)
			}
		}(w)
	}
	wg.Wait()
	if ix.Len() != 0 {
		t.Fatalf("Len = %d after all tenants were removed", ix.Len())
	}
	if !reflect.DeepEqual(ix.TenantsFor(b), []string{}) {
		t.Fatalf("TenantsFor = %v", ix.TenantsFor(b))
	}
}
