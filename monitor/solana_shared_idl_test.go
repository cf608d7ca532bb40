package monitor

import (
	"context"
	"strconv"
	"testing"
)

// TestSolanaDecodesSharedAcrossMonitors: monitors compiled apart (one per
// tenant) from the same IDL text decode each instruction and event of a
// block once between them, not once each — what keeps 1,000 tenants
// watching one program affordable — and still match alike.
func TestSolanaDecodesSharedAcrossMonitors(t *testing.T) {
	t.Parallel()
	b := solanaBlockOf(t, "solana_mainnet", vaultTx(t))
	const conds = `{"functions": [{"signature": "deposit", "expression": "amount == 1500"}, {"signature": "withdraw"}],
		"events": [{"signature": "DepositEvent", "expression": "amount == 1500"}], "transactions": []}`
	one := func(n int) (calls, events, matches int) {
		var cms []*CompiledMonitor
		for i := range n {
			cm := vaultMonitor(t, "vault_v030.json", conds)
			cm.TenantID = "tenant-" + strconv.Itoa(i)
			cms = append(cms, cm)
		}
		e := NewEngine()
		p, err := e.Prepare(b)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := e.EvaluatePrepared(context.Background(), p, cms)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.sol.calls), len(p.sol.events), len(ms)
	}
	c1, e1, m1 := one(1)
	c50, e50, m50 := one(50)
	if c1 == 0 || e1 == 0 || m1 != 1 {
		t.Fatalf("one monitor: %d decoded instructions, %d decoded events, %d matches; want some, some, 1", c1, e1, m1)
	}
	if c50 != c1 || e50 != e1 {
		t.Errorf("50 monitors with one IDL decoded %d instructions and %d events, want %d and %d as one monitor does", c50, e50, c1, e1)
	}
	if m50 != 50 {
		t.Errorf("50 monitors: %d matches, want 50", m50)
	}
}
