package expr

import "strings"

// Solana is OpenZeppelin Monitor's SolanaConditionEvaluator
// (docs/compatibility.md#solana-comparisons): the kind is lowercased; the
// u8…u128 kinds compare both sides as unsigned 128-bit integers and the
// i8…i128 kinds as signed ones (no per-width range check), with a number or
// a string literal; bool takes a bool literal or the string "true"/"false";
// every other kind (pubkey, string, bytes, f64, vec, object, …) compares
// its text case-sensitively with ==, != and contains only. Unlike Stellar
// and EVM, nothing folds case and starts_with/ends_with are errors.
type Solana struct{}

type solanaKind uint8

const (
	solText solanaKind = iota
	solUint
	solInt
	solBool
)

func classifySolana(kind string) solanaKind {
	switch rustLower(kind) {
	case "u8", "u16", "u32", "u64", "u128":
		return solUint
	case "i8", "i16", "i32", "i64", "i128":
		return solInt
	case "bool":
		return solBool
	}
	return solText
}

func (Solana) compare(kind, value string, op operator, lit *literal) (bool, error) {
	switch classifySolana(kind) {
	case solUint:
		return compareSolanaInt(value, op, lit, false)
	case solInt:
		return compareSolanaInt(value, op, lit, true)
	case solBool:
		return compareSolanaBool(value, op, lit)
	}
	if lit.kind == litBool {
		return false, evalErr(errTypeMismatch, "expected a string or number literal for "+quoteCut(kind)+", found bool")
	}
	switch op {
	case opEq:
		return value == lit.text, nil
	case opNe:
		return value != lit.text, nil
	case opContains:
		return strings.Contains(value, lit.text), nil
	}
	return false, unsupported(op, kind)
}

// compareSolanaInt parses the value and the literal's text (a quoted
// number works too) as 128-bit integers of the given signedness.
func compareSolanaInt(value string, op operator, lit *literal, signed bool) (bool, error) {
	// The type name is for errors only: built on the error path, not on
	// every comparison (it was 6% of evaluating 1,000 tenants).
	name := func() string { return widthName(128, signed) }
	v, ok := parseInt(value)
	if !ok || !v.fits(128, signed) {
		return false, evalErr(errParse, "value "+quoteCut(value)+" is not a valid "+name())
	}
	if lit.kind == litBool {
		return false, evalErr(errTypeMismatch, "expected a number or string literal for "+name()+", found bool")
	}
	r := lit.num
	if lit.kind != litNumber || !lit.numOK {
		if r, ok = parseInt(lit.text); !ok {
			return false, evalErr(errParse, "literal "+quoteCut(lit.text)+" is not a valid "+name())
		}
	}
	if !r.fits(128, signed) {
		return false, evalErr(errParse, "literal "+quoteCut(lit.text)+" is not a valid "+name())
	}
	if !op.ordering() {
		return false, unsupported(op, name())
	}
	return applyOrdering(op, cmpInt(v, r)), nil
}

// compareSolanaBool: the value must be exactly "true"/"false"; the literal
// a bool or the string "true"/"false".
func compareSolanaBool(value string, op operator, lit *literal) (bool, error) {
	var v bool
	switch value {
	case "true":
		v = true
	case "false":
	default:
		return false, evalErr(errParse, "bool value "+quoteCut(value)+" is not true or false")
	}
	var r bool
	switch {
	case lit.kind == litBool:
		r = lit.b
	case lit.kind == litString && lit.text == "true":
		r = true
	case lit.kind == litString && lit.text == "false":
	default:
		return false, evalErr(errTypeMismatch, "expected a bool literal for bool, found "+lit.kind.String()+" "+quoteCut(lit.text))
	}
	switch op {
	case opEq:
		return v == r, nil
	case opNe:
		return v != r, nil
	}
	return false, unsupported(op, "bool")
}

// jsonKind is the Solana kind of a node reached by path access (SOL52):
// an integer that fits i64 is i64, a larger unsigned one u64, other
// numbers f64.
func (Solana) jsonKind(v *jsonValue) string {
	switch v.typ {
	case jNumber:
		switch {
		case v.ntyp == numNegInt:
			return "i64"
		case v.ntyp == numPosInt && v.u <= 1<<63-1:
			return "i64"
		case v.ntyp == numPosInt:
			return "u64"
		}
		return "f64"
	case jBool:
		return "bool"
	case jString:
		return "string"
	case jArray:
		return "vec"
	case jObject:
		return "object"
	}
	return "null"
}
