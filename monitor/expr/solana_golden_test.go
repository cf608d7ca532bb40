package expr

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// solanaGolden is the part of testdata/ozmonitor/solana/golden_cases.json
// that concerns the expression language: the evaluate_expression,
// compare_final_values, get_base_param and kind_from_json levels
// (SOL33–SOL77, docs/compatibility.md#solana-comparisons).
type solanaGolden struct {
	Cases []struct {
		ID     string          `json:"id"`
		Level  string          `json:"level"`
		Args   []solanaArg     `json:"args"`
		Checks json.RawMessage `json:"checks"`
	} `json:"cases"`
}

type solanaArg struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Kind  string `json:"kind"`
}

func loadSolanaGolden(t *testing.T) solanaGolden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ozmonitor", "solana", "golden_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g solanaGolden
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&g); err != nil {
		t.Fatal(err)
	}
	return g
}

// expectOutcome reads a check's "expected": true, false or "error".
func expectOutcome(t *testing.T, id string, raw json.RawMessage) (want bool, wantErr bool) {
	t.Helper()
	switch strings.TrimSpace(string(raw)) {
	case "true":
		return true, false
	case "false":
		return false, false
	case `"error"`:
		return false, true
	}
	t.Fatalf("%s: unexpected expected %s", id, raw)
	return false, false
}

func TestSolanaGoldenExpressions(t *testing.T) {
	g := loadSolanaGolden(t)
	ran := map[string]int{}
	for _, c := range g.Cases {
		params := make([]Param, len(c.Args))
		for i, a := range c.Args {
			params[i] = Param(a)
		}
		switch c.Level {
		case "evaluate_expression":
			var checks []struct {
				Expression string          `json:"expression"`
				Expected   json.RawMessage `json:"expected"`
			}
			if err := json.Unmarshal(c.Checks, &checks); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			for _, ch := range checks {
				want, wantErr := expectOutcome(t, c.ID, ch.Expected)
				e, err := Parse(ch.Expression)
				if err != nil {
					if !wantErr {
						t.Errorf("%s: Parse(%q): %v", c.ID, ch.Expression, err)
					}
					continue
				}
				got, err := e.Eval(params, Solana{})
				if wantErr != (err != nil) || (!wantErr && got != want) {
					t.Errorf("%s: %q = %v, %v; want %v (error %v)", c.ID, ch.Expression, got, err, want, wantErr)
				}
			}
		case "compare_final_values":
			var checks []struct {
				Kind     string                     `json:"kind"`
				LHS      string                     `json:"lhs"`
				Op       string                     `json:"op"`
				RHS      map[string]json.RawMessage `json:"rhs"`
				Expected json.RawMessage            `json:"expected"`
			}
			if err := json.Unmarshal(c.Checks, &checks); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			for _, ch := range checks {
				want, wantErr := expectOutcome(t, c.ID, ch.Expected)
				var lit string
				switch {
				case ch.RHS["number"] != nil:
					var s string
					if err := json.Unmarshal(ch.RHS["number"], &s); err != nil {
						t.Fatalf("%s: %v", c.ID, err)
					}
					lit = s
				case ch.RHS["string"] != nil:
					var s string
					if err := json.Unmarshal(ch.RHS["string"], &s); err != nil {
						t.Fatalf("%s: %v", c.ID, err)
					}
					lit = "'" + s + "'"
				case ch.RHS["bool"] != nil:
					lit = string(ch.RHS["bool"])
				default:
					t.Fatalf("%s: rhs %v", c.ID, ch.RHS)
				}
				src := "v " + ch.Op + " " + lit
				e, err := Parse(src)
				if err != nil {
					t.Fatalf("%s: Parse(%q): %v", c.ID, src, err)
				}
				got, err := e.Eval([]Param{{Name: "v", Value: ch.LHS, Kind: ch.Kind}}, Solana{})
				if wantErr != (err != nil) || (!wantErr && got != want) {
					t.Errorf("%s: %s %q %s = %v, %v; want %v (error %v)", c.ID, ch.Kind, ch.LHS, src, got, err, want, wantErr)
				}
			}
		case "get_base_param":
			var checks []struct {
				Name     string          `json:"name"`
				Expected json.RawMessage `json:"expected"`
			}
			if err := json.Unmarshal(c.Checks, &checks); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			for _, ch := range checks {
				// A reference to the parameter compared with its own value
				// finds it (true) or fails with "variable not found".
				var exp struct{ Value, Kind string }
				_ = json.Unmarshal(ch.Expected, &exp)
				e, err := Parse(ch.Name + " == '" + exp.Value + "'")
				if err != nil {
					t.Fatalf("%s: %v", c.ID, err)
				}
				got, err := e.Eval(params, Solana{})
				if string(ch.Expected) == `"error"` {
					var ee *evalError
					if err == nil || !asEvalError(err, &ee) || ee.Code != errVariableNotFound {
						t.Errorf("%s: lookup of %s = %v, %v; want variable not found", c.ID, ch.Name, got, err)
					}
					continue
				}
				var p *Param
				for i := range params {
					if params[i].Name == ch.Name {
						p = &params[i]
						break
					}
				}
				if p == nil || p.Value != exp.Value || p.Kind != exp.Kind || err != nil || !got {
					t.Errorf("%s: %s = %+v (%v, %v), want %+v", c.ID, ch.Name, p, got, err, exp)
				}
			}
		case "kind_from_json":
			var checks []struct {
				JSON     json.RawMessage `json:"json"`
				Expected string          `json:"expected"`
			}
			if err := json.Unmarshal(c.Checks, &checks); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			for _, ch := range checks {
				v, err := parseJSON(string(ch.JSON))
				if err != nil {
					t.Fatalf("%s: %v", c.ID, err)
				}
				if got := (Solana{}).jsonKind(&v); got != ch.Expected {
					t.Errorf("%s: kind of %s = %s, want %s", c.ID, ch.JSON, got, ch.Expected)
				}
			}
		default:
			continue
		}
		ran[c.Level]++
	}
	// SOL33–SOL46 less the transaction-level ones, SOL47–SOL77.
	if ran["evaluate_expression"] != 14 || ran["compare_final_values"] != 28 || ran["get_base_param"] != 2 || ran["kind_from_json"] != 1 {
		t.Errorf("ran %v, want 14 evaluate_expression, 28 compare_final_values, 2 get_base_param, 1 kind_from_json", ran)
	}
}

func asEvalError(err error, target **evalError) bool {
	ee, ok := err.(*evalError)
	if ok {
		*target = ee
	}
	return ok
}

// TestSolanaRules pins the differences from the Stellar and EVM tables
// (docs/compatibility.md#solana-comparisons), each once.
func TestSolanaRules(t *testing.T) {
	c := Solana{}
	check(t, c, "pubkey", "WaLLeT", "== 'WaLLeT'", yes)
	check(t, c, "pubkey", "WaLLeT", "== 'wallet'", no) // case-sensitive
	check(t, c, "string", "|A|B|", "contains '|B|'", yes)
	check(t, c, "string", "|A|B|", "starts_with '|'", fails(errUnsupportedOperator))
	check(t, c, "string", "abc", "ends_with 'c'", fails(errUnsupportedOperator))
	check(t, c, "u64", "5000", "== '5000'", yes) // quoted numbers work
	check(t, c, "u64", "5000", "== 5000.0", fails(errParse))
	check(t, c, "u64", "5000", "== 0x1388", fails(errParse))
	check(t, c, "u64", "5000", "contains 5", fails(errUnsupportedOperator))
	check(t, c, "u8", "300", "== 300", yes) // no per-width range check
	check(t, c, "u64", "5000", "== true", fails(errTypeMismatch))
	check(t, c, "f64", "1.5", "== 1.5", yes) // unknown kinds compare as text
	check(t, c, "object", `{"a":1}`, "contains 'a'", yes)
	check(t, c, "bool", "true", "== 1", fails(errTypeMismatch))
	check(t, c, "string", "abc", "== true", fails(errTypeMismatch))
	check(t, c, "i64", "-5", "< '+1'", yes)
	check(t, c, "u128", "340282366920938463463374607431768211455", "== 340282366920938463463374607431768211455", yes)
	check(t, c, "u128", "340282366920938463463374607431768211456", "> 0", fails(errParse))
	check(t, c, "i8", "-170141183460469231731687303715884105728", "< 0", yes)
}
