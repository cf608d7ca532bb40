package evm

import (
	"encoding/json"
	"testing"
)

func TestABICacheSharesDecoders(t *testing.T) {
	t.Parallel()
	c := NewABICache()
	spec := ozSpec(t, "contract_spec.json")
	var v any
	if err := json.Unmarshal(spec, &v); err != nil {
		t.Fatal(err)
	}
	reformatted, _ := json.MarshalIndent(v, "", "    ")
	a1, err := c.Get(spec)
	if err != nil || a1 == nil {
		t.Fatalf("Get: %v %v", a1, err)
	}
	a2, err := c.Get(reformatted)
	if err != nil || a2 != a1 {
		t.Fatalf("equal ABIs gave different decoders (%p, %p, %v)", a1, a2, err)
	}
	for _, empty := range []string{"", "null", " [] "} {
		if a, err := c.Get(json.RawMessage(empty)); a != nil || err != nil {
			t.Fatalf("Get(%q) = %v, %v", empty, a, err)
		}
	}
	if _, err := c.Get(json.RawMessage(`[{"type":"function","name":"f","inputs":[{"type":"notatype"}]}]`)); err == nil {
		t.Fatal("bad ABI accepted")
	}
	if _, err := c.Get(json.RawMessage(`[{`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
