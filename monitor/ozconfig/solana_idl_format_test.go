package ozconfig

import (
	"encoding/json"
	"testing"
)

// SOL110 (test_formatted_contract_spec): an IDL instruction transfer with
// one argument amount: u64 is the function "transfer" with signature
// "transfer(u64)" and one input {index 0, name amount, kind u64}. ozmon's
// form of OZ's formatted spec is the parsed IDL (the evaluator names the
// decoded arguments and kinds from it, QS1 ours); both IDL shapes read alike.
func TestSolanaFormattedContractSpec(t *testing.T) {
	t.Parallel()
	for name, raw := range map[string]string{
		"legacy": `{"version":"0.1.0","name":"t","instructions":[{"name":"transfer","accounts":[],"args":[{"name":"amount","type":"u64"}]}]}`,
		"0.30": `{"address":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","metadata":{"name":"t","version":"0.1.0","spec":"0.1.0"},` +
			`"instructions":[{"name":"transfer","discriminator":[163,52,200,231,140,3,69,186],"accounts":[],"args":[{"name":"amount","type":"u64"}]}]}`,
	} {
		idl, err := ParseSolanaIDL(json.RawMessage(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(idl.Instructions) != 1 {
			t.Fatalf("%s: %d instructions", name, len(idl.Instructions))
		}
		in := idl.Instructions[0]
		if in.Name != "transfer" || SolanaSignature(in.Name, in.Args) != "transfer(u64)" {
			t.Errorf("%s: function %q signature %q", name, in.Name, SolanaSignature(in.Name, in.Args))
		}
		if len(in.Args) != 1 || in.Args[0].Name != "amount" || in.Args[0].Type.String() != "u64" {
			t.Errorf("%s: inputs %+v, want [{index 0, amount, u64}]", name, in.Args)
		}
		if in.Discriminator != [8]byte{163, 52, 200, 231, 140, 3, 69, 186} {
			t.Errorf("%s: discriminator %v", name, in.Discriminator)
		}
	}
}
