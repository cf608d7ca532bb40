package expr

import (
	"strconv"
	"strings"
)

// Stellar is OpenZeppelin Monitor's StellarConditionEvaluator
// (docs/compatibility.md#stellar-comparisons):
// the kind is lowercased and cut at the first '<' (`Vec<Address>` → vec),
// integers up to 128 bits compare exactly in their native width, 256-bit
// ones only by text equality, strings case-insensitively, addresses also
// ignoring whitespace, Vec/Map through their JSON (or CSV) text.
type Stellar struct{}

type stellarKind uint8

const (
	skUnknown stellarKind = iota
	skBool
	skU32
	skU64
	skI32
	skI64
	skU128
	skI128
	skBig // u256, i256
	skString
	skSymbol
	skBytes
	skAddress
	skVec
	skMap
)

var stellarKinds = [...]struct {
	name string
	kind stellarKind
}{
	{"bool", skBool}, {"u32", skU32}, {"u64", skU64}, {"timepoint", skU64}, {"duration", skU64},
	{"i32", skI32}, {"i64", skI64}, {"u128", skU128}, {"i128", skI128}, {"u256", skBig}, {"i256", skBig},
	{"string", skString}, {"symbol", skSymbol}, {"bytes", skBytes}, {"address", skAddress},
	{"vec", skVec}, {"map", skMap},
}

// classifyStellar maps a kind string to its comparison class without
// allocating. Non-ASCII kinds never match: no character outside ASCII
// lowercases into the letters these names use.
func classifyStellar(kind string) stellarKind {
	// The spellings the engine produces, matched exactly first.
	switch kind {
	case "I128":
		return skI128
	case "Address":
		return skAddress
	case "U32":
		return skU32
	case "U64":
		return skU64
	case "I64":
		return skI64
	case "String":
		return skString
	case "Symbol":
		return skSymbol
	}
	if i := strings.IndexByte(kind, '<'); i >= 0 {
		kind = kind[:i]
	}
	for _, k := range stellarKinds {
		if equalFoldASCII(kind, k.name) {
			return k.kind
		}
	}
	return skUnknown
}

func (Stellar) compare(kind, value string, op operator, lit *literal) (bool, error) {
	switch k := classifyStellar(kind); k {
	case skBool:
		return compareBool(value, op, lit)
	case skU32:
		return compareNative(value, op, lit, 32, false)
	case skU64:
		return compareNative(value, op, lit, 64, false)
	case skI32:
		return compareNative(value, op, lit, 32, true)
	case skI64:
		return compareNative(value, op, lit, 64, true)
	case skU128:
		return compareNative(value, op, lit, 128, false)
	case skI128:
		return compareNative(value, op, lit, 128, true)
	case skBig:
		if lit.kind != litNumber && lit.kind != litString {
			return false, evalErr(errTypeMismatch, "expected a number or string literal for "+quoteCut(kind)+", found "+lit.kind.String())
		}
		switch op {
		case opEq:
			return value == lit.text, nil
		case opNe:
			return value != lit.text, nil
		}
		return false, unsupported(op, kind)
	case skString, skSymbol, skBytes, skAddress:
		return compareString(k == skAddress, kind, value, op, lit)
	case skVec:
		return compareVec(value, op, lit)
	case skMap:
		return compareMap(value, op, lit)
	}
	return false, evalErr(errTypeMismatch, "unknown parameter type "+quoteCut(kind))
}

func unsupported(op operator, kind string) error {
	return evalErr(errUnsupportedOperator, "operator "+op.String()+" not supported for type "+quoteCut(kind))
}

// compareBool: the value must be exactly "true"/"false", the literal a bool.
func compareBool(value string, op operator, lit *literal) (bool, error) {
	var v bool
	switch value {
	case "true":
		v = true
	case "false":
	default:
		return false, evalErr(errParse, "bool value "+quoteCut(value)+" is not true or false")
	}
	if lit.kind != litBool {
		return false, evalErr(errTypeMismatch, "expected a bool literal, found "+lit.kind.String()+" "+quoteCut(lit.text))
	}
	switch op {
	case opEq:
		return v == lit.b, nil
	case opNe:
		return v != lit.b, nil
	}
	return false, unsupported(op, "bool")
}

// compareNative parses both sides into the kind's native Rust width, in
// OpenZeppelin Monitor's order: value, literal type, literal, operator.
func compareNative(value string, op operator, lit *literal, bits int, signed bool) (bool, error) {
	v, ok := parseInt(value)
	if !ok || !v.fits(bits, signed) {
		return false, evalErr(errParse, "value "+quoteCut(value)+" is not a valid "+widthName(bits, signed))
	}
	if lit.kind != litNumber {
		return false, evalErr(errTypeMismatch, "expected a number literal for "+widthName(bits, signed)+", found "+lit.kind.String()+" "+quoteCut(lit.text))
	}
	if !lit.numOK || !lit.num.fits(bits, signed) {
		return false, evalErr(errParse, "literal "+lit.text+" is not a valid "+widthName(bits, signed))
	}
	if !op.ordering() {
		return false, unsupported(op, widthName(bits, signed))
	}
	return applyOrdering(op, cmpInt(v, lit.num)), nil
}

func widthName(bits int, signed bool) string {
	if signed {
		return "i" + strconv.Itoa(bits)
	}
	return "u" + strconv.Itoa(bits)
}

// compareString: both sides lowercased; addresses compared with == / !=
// are also stripped of whitespace.
func compareString(address bool, kind, value string, op operator, lit *literal) (bool, error) {
	if lit.kind != litString {
		return false, evalErr(errTypeMismatch, "expected a string literal for "+quoteCut(kind)+", found "+lit.kind.String()+" "+quoteCut(lit.text))
	}
	switch op {
	case opEq, opNe:
		var eq bool
		if address {
			eq = equalAddress(value, lit.addr)
		} else {
			eq = equalLower(value, lit.lower)
		}
		return eq == (op == opEq), nil
	case opStartsWith:
		return foldHasPrefix(value, lit.lower), nil
	case opEndsWith:
		return foldHasSuffix(value, lit.lower), nil
	case opContains:
		return foldContains(value, lit.lower), nil
	}
	return false, unsupported(op, kind)
}

// compareVec implements the vec rules: JSON-array equality or a CSV
// comparison for ==/!=, and element search (rule M) or CSV membership for
// contains.
func compareVec(value string, op operator, lit *literal) (bool, error) {
	if lit.kind != litString && lit.kind != litNumber {
		return false, evalErr(errTypeMismatch, "expected a string or number literal for vec, found "+lit.kind.String())
	}
	target := lit.text
	switch op {
	case opEq, opNe:
		lj, lerr := parseJSON(value)
		rj, rerr := parseJSON(target)
		var eq bool
		switch {
		case lerr == nil && rerr == nil:
			la, ra := lj.typ == jArray, rj.typ == jArray
			switch {
			case la && ra:
				eq = lj.equal(&rj)
			case la != ra:
				eq = false
			default:
				eq = csvEqual(value, target)
			}
		case lerr != nil && rerr != nil:
			eq = csvEqual(value, target)
		}
		return eq == (op == opEq), nil
	case opContains:
		if arr, err := parseJSON(value); err == nil && arr.typ == jArray {
			for i := range arr.arr {
				item := &arr.arr[i]
				if item.typ == jObject {
					for j := range item.obj {
						if matchJSON(&item.obj[j].val, target) {
							return true, nil
						}
					}
					continue
				}
				if matchJSON(item, target) {
					return true, nil
				}
			}
			return false, nil
		}
		// CSV fallback (Display form "[a,b]" of event vectors): one pair of
		// surrounding brackets stripped, items trimmed, exact membership.
		s := value
		if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
			s = s[1 : len(s)-1]
		}
		for item := range strings.SplitSeq(s, ",") {
			if rustTrim(item) == target {
				return true, nil
			}
		}
		return false, nil
	}
	return false, unsupported(op, "vec")
}

// csvEqual compares two texts as comma-separated lists, each item trimmed
// and lowercased.
func csvEqual(a, b string) bool {
	if strings.Count(a, ",") != strings.Count(b, ",") {
		return false
	}
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	for i := range as {
		if rustLower(rustTrim(as[i])) != rustLower(rustTrim(bs[i])) {
			return false
		}
	}
	return true
}

// matchJSON is rule M: does a JSON node match the target text?
func matchJSON(v *jsonValue, target string) bool {
	switch v.typ {
	case jString:
		return equalFoldASCII(v.str, target)
	case jObject:
		inner, ok := v.get("value")
		if !ok {
			return false
		}
		if inner.typ == jString {
			return inner.str == target
		}
		return strings.Trim(inner.text(), `"`) == target
	}
	return strings.Trim(v.text(), `"`) == target
}

// compareMap: ==/!= compare JSON objects semantically; contains searches
// the top-level values with rule M.
func compareMap(value string, op operator, lit *literal) (bool, error) {
	switch {
	case lit.kind == litString:
	case lit.kind == litNumber && op == opContains:
	default:
		return false, evalErr(errTypeMismatch, "expected a string literal for map "+op.String()+", found "+lit.kind.String())
	}
	switch op {
	case opEq, opNe:
		lj, err := parseJSON(value)
		if err != nil {
			return false, evalErr(errParse, "map value is not JSON: "+err.Error())
		}
		rj, err := parseJSON(lit.text)
		if err != nil {
			return false, evalErr(errParse, "map literal is not JSON: "+err.Error())
		}
		if lj.typ != jObject || rj.typ != jObject {
			return false, evalErr(errTypeMismatch, "map == needs JSON objects on both sides")
		}
		return lj.equal(&rj) == (op == opEq), nil
	case opContains:
		m, err := parseJSON(value)
		if err == nil && m.typ != jObject {
			err = errJSON
		}
		if err != nil {
			return false, evalErr(errParse, "map value is not a JSON object: "+err.Error())
		}
		for i := range m.obj {
			if matchJSON(&m.obj[i].val, lit.text) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, unsupported(op, "map")
}

// jsonKind is the Stellar kind of a node reached by path access.
func (Stellar) jsonKind(v *jsonValue) string {
	switch v.typ {
	case jNumber:
		switch v.ntyp {
		case numPosInt:
			return "U64"
		case numNegInt:
			return "I64"
		}
		return "F64"
	case jBool:
		return "Bool"
	case jString:
		if isStellarAddress(v.str) {
			return "Address"
		}
		return "String"
	case jArray:
		return "Vec"
	case jObject:
		return "Map"
	}
	return "Null"
}
