package monitor

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// Arg is one decoded argument of a matched function call or event, as
// OpenZeppelin Monitor reports it in matched_on_args and as expressions
// see it (Name, Value, Kind).
type Arg struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Kind    string `json:"kind"`
	Indexed bool   `json:"indexed"`
}

// contractSpec is a contract spec prepared once per compiled monitor: the
// normalized signatures are what every call is compared against.
type contractSpec struct {
	spec      *chain.ContractSpec
	fnSigNorm []string
}

func newContractSpec(s *chain.ContractSpec) *contractSpec {
	if s == nil {
		return nil
	}
	cs := &contractSpec{spec: s, fnSigNorm: make([]string, len(s.Functions))}
	for i := range s.Functions {
		cs.fnSigNorm[i] = normalizeKey(s.Functions[i].Signature)
	}
	return cs
}

// resolvedCall is a contract call resolved against one spec: its
// signature, its arguments, and the expression parameters built from them.
// It is computed once per (transaction, operation, spec) and shared by every
// monitor that watches the contract.
type resolvedCall struct {
	ok        bool // the call resolved to a spec function (3.5 step 4)
	signature string
	sigNorm   string
	args      []Arg
	params    []expr.Param
}

// resolveCall names a call as docs/compatibility.md#function-calls says: the signature comes from the
// spec function whose name, arity and (leniently compared) argument types fit
// the runtime values, and the arguments are named after that function's
// inputs. Without a fitting spec function the call does not match anything.
func resolveCall(c *chain.Call, cs *contractSpec) *resolvedCall {
	if cs == nil {
		return &resolvedCall{}
	}
	runtime := make([]string, len(c.Args))
	for i := range c.Args {
		runtime[i] = c.Args[i].TypeName()
	}
	sig := ""
	for i := range cs.spec.Functions {
		f := &cs.spec.Functions[i]
		if f.Name != c.Function || len(f.Inputs) != len(runtime) {
			continue
		}
		fits := true
		for j := range f.Inputs {
			if !kindFits(f.Inputs[j].Kind, runtime[j]) {
				fits = false
				break
			}
		}
		if fits {
			sig = f.Signature
			break
		}
	}
	if sig == "" {
		sig = c.Function + "(" + strings.Join(runtime, ",") + ")"
	}
	norm := normalizeKey(sig)
	var fn *chain.SpecFunction
	for i, n := range cs.fnSigNorm {
		if n == norm {
			fn = &cs.spec.Functions[i]
			break
		}
	}
	if fn == nil {
		return &resolvedCall{}
	}
	rc := &resolvedCall{ok: true, signature: sig, sigNorm: norm, args: make([]Arg, len(c.Args))}
	for i := range c.Args {
		var in *chain.SpecInput
		if i < len(fn.Inputs) {
			in = &fn.Inputs[i]
		}
		rc.args[i] = functionArg(c.Args[i], i, in)
	}
	rc.params = paramsOf(rc.args)
	return rc
}

// kindFits is 3.5's lenient per-position type comparison: container kinds
// compare by their outer constructor only, so UDTs nested in a Vec, Map or
// Tuple still match; everything else must be spelled identically.
func kindFits(spec, runtime string) bool {
	for _, p := range [...]string{"Vec<", "Map<", "Tuple<"} {
		if strings.HasPrefix(spec, p) && strings.HasPrefix(runtime, p) {
			return true
		}
	}
	return spec == runtime
}

// functionArg renders a call argument from its JSON form
// (docs/compatibility.md#values-as-text):
// containers become compact JSON with kind Vec or Map, 128/256-bit integers
// their decimal text with their own kind, scalars their plain text with the
// spec input's kind.
func functionArg(v chain.Value, i int, in *chain.SpecInput) Arg {
	a := Arg{Name: strconv.Itoa(i)}
	if in != nil {
		a.Name = in.Name
	}
	switch v.Kind {
	case chain.KindVec:
		a.Kind, a.Value = "Vec", string(v.AppendOZJSON(nil))
		return a
	case chain.KindU128, chain.KindI128, chain.KindU256, chain.KindI256:
		a.Kind, a.Value = v.Kind.String(), v.Text
		return a
	case chain.KindMap:
		// A map that looks like the {"type","value"} wrapper of big
		// integers is read as one, exactly as the JSON-based original does.
		if t, val, ok := typeValueWrapper(v); ok {
			a.Kind, a.Value = t, val
			return a
		}
		a.Kind, a.Value = "Map", string(v.AppendOZJSON(nil))
		return a
	}
	switch v.Kind {
	case chain.KindBool:
		a.Value = strconv.FormatBool(v.Int != 0)
	case chain.KindBytes:
		a.Value = hex.EncodeToString(v.Bytes)
	case chain.KindString, chain.KindSymbol, chain.KindAddress:
		a.Value = v.Text
	case chain.KindVoid, chain.KindError, chain.KindOther:
		a.Value = ""
	default:
		a.Value, _ = v.Decimal()
	}
	if in != nil {
		a.Kind = in.Kind
	} else {
		a.Kind = inferredKind(v)
	}
	return a
}

// typeValueWrapper reports whether a map has string-valued "type" and
// "value" entries in its JSON rendering.
func typeValueWrapper(v chain.Value) (typ, val string, ok bool) {
	var gotT, gotV bool
	for _, e := range v.Entries {
		k := e.Key.String()
		if k != "type" && k != "value" {
			continue
		}
		s, isStr := jsonStringText(e.Val)
		if !isStr {
			return "", "", false
		}
		if k == "type" {
			typ, gotT = s, true
		} else {
			val, gotV = s, true
		}
	}
	return typ, val, gotT && gotV
}

// jsonStringText returns the text of a value whose OZ JSON form is a string.
func jsonStringText(v chain.Value) (string, bool) {
	switch v.Kind {
	case chain.KindString, chain.KindSymbol, chain.KindAddress:
		return v.Text, true
	case chain.KindBytes:
		return hex.EncodeToString(v.Bytes), true
	}
	return "", false
}

// inferredKind is the kind the original infers from a JSON scalar when no
// spec input names it.
func inferredKind(v chain.Value) string {
	switch v.Kind {
	case chain.KindBool:
		return "Bool"
	case chain.KindU32, chain.KindU64, chain.KindTimepoint, chain.KindDuration:
		return "U64"
	case chain.KindI32, chain.KindI64:
		if int64(v.Int) < 0 {
			return "I64"
		}
		return "U64"
	case chain.KindAddress:
		return "Address"
	case chain.KindString, chain.KindSymbol:
		if looksLikeStrkey(v.Text) {
			return "Address"
		}
		return "String"
	case chain.KindBytes:
		return "String"
	}
	return "Null"
}

// looksLikeStrkey reports whether s has the shape of a G… or C… strkey.
func looksLikeStrkey(s string) bool {
	if len(s) != 56 || (s[0] != 'G' && s[0] != 'C') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z') && !('2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

func paramsOf(args []Arg) []expr.Param {
	ps := make([]expr.Param, len(args))
	for i, a := range args {
		ps[i] = expr.Param{Name: a.Name, Value: a.Value, Kind: a.Kind}
	}
	return ps
}
