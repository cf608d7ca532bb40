package stellar

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

func TestContractSpecFromChain(t *testing.T) {
	t.Parallel()
	const seed = 17
	sim := ozmontest.StartStellarSim(t, synth(seed, 10, 1, 1))
	c := newClient(t, []string{sim.URL()})
	spec, err := c.ContractSpec(context.Background(), ozmontest.SyntheticIDs(seed, "").App)
	if err != nil {
		t.Fatal(err)
	}
	dep, rec := spec.Function("deposit"), spec.Function("record")
	if dep == nil || rec == nil || len(spec.Functions) != 2 {
		b, _ := json.Marshal(spec)
		t.Fatalf("spec %s", b)
	}
	want := []chain.SpecInput{{Index: 0, Name: "id", Kind: "U32"}, {Index: 1, Name: "label", Kind: "String"},
		{Index: 2, Name: "tags", Kind: "Vec<Symbol>"}, {Index: 3, Name: "attrs", Kind: "Map<Symbol,U32>"}}
	if len(rec.Inputs) != len(want) {
		t.Fatalf("record inputs %+v", rec.Inputs)
	}
	for i := range want {
		if rec.Inputs[i] != want[i] {
			t.Errorf("record input %d: %+v, want %+v", i, rec.Inputs[i], want[i])
		}
	}
	if dep.Inputs[1].Name != "amount" || dep.Inputs[1].Kind != "I128" {
		t.Errorf("deposit inputs %+v", dep.Inputs)
	}
	names := map[string]bool{}
	for _, e := range spec.Events {
		names[e.Name] = true
	}
	if !names["deposit"] || !names["recorded"] {
		t.Errorf("events %+v", spec.Events)
	}
	if sim.Calls("getLedgerEntries") != 2 {
		t.Fatalf("%d getLedgerEntries calls, want 2", sim.Calls("getLedgerEntries"))
	}
}

func TestContractSpecCustomWASM(t *testing.T) {
	t.Parallel()
	const id = "CAAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQC526"
	sim := ozmontest.StartStellarSim(t, synth(18, 10, 1, 1), ozmontest.SimContractWASM(id, ozmontest.WASMWithCustomSection("other", []byte{1, 2, 3})))
	c := newClient(t, []string{sim.URL()})
	spec, err := c.ContractSpec(context.Background(), id)
	if err == nil && (len(spec.Functions) != 0 || len(spec.Events) != 0) {
		t.Fatalf("a WASM without contractspecv0 gave functions: %+v", spec)
	}
}
