package expr

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// EVM is OpenZeppelin Monitor's EVMConditionEvaluator
// (docs/compatibility.md#evm-comparisons): the kind
// is lowercased and looked up exactly; all integers are 256-bit (decimal or
// 0x-hex on both sides), arrays compare as JSON, addresses ignore case,
// whitespace and the 0x prefix, tuples compare by their text.
type EVM struct{}

type evmKind uint8

const (
	ekUnknown evmKind = iota
	ekInt
	ekUint
	ekArray
	ekAddress
	ekString
	ekBool
	ekTuple
)

func classifyEVM(kind string) evmKind {
	k := rustLower(kind)
	switch k {
	case "int8", "int16", "int32", "int64", "int128", "int256":
		return ekInt
	case "uint8", "uint16", "uint32", "uint64", "uint128", "uint256", "number":
		return ekUint
	case "array", "uint8[]", "uint16[]", "uint32[]", "uint64[]", "uint128[]", "uint256[]",
		"int8[]", "int16[]", "int32[]", "int64[]", "int128[]", "int256[]",
		"string[]", "address[]", "bool[]", "bytes[]", "bytes32[]", "tuple[]":
		return ekArray
	case "address":
		return ekAddress
	case "string", "bytes", "bytes32":
		return ekString
	case "bool":
		return ekBool
	case "tuple":
		return ekTuple
	}
	return ekUnknown
}

func (EVM) compare(kind, value string, op operator, lit *literal) (bool, error) {
	switch classifyEVM(kind) {
	case ekInt:
		return compare256(value, op, lit, true)
	case ekUint:
		return compare256(value, op, lit, false)
	case ekArray:
		return compareEVMArray(value, op, lit)
	case ekAddress:
		if lit.kind != litString {
			return false, evalErr(errTypeMismatch, "expected a string literal for address, found "+lit.kind.String())
		}
		switch op {
		case opEq, opNe:
			return sameEVMAddress(value, lit.text) == (op == opEq), nil
		}
		return false, unsupported(op, kind)
	case ekString:
		return compareString(false, kind, value, op, lit)
	case ekBool:
		return compareBool(value, op, lit)
	case ekTuple:
		return compareTuple(value, op, lit)
	}
	return false, evalErr(errTypeMismatch, "unsupported EVM parameter kind "+quoteCut(kind))
}

// parse256 is OpenZeppelin Monitor's string_to_u256 / string_to_i256 on
// the trimmed text: a 0x/0X prefix is hex (an I256 takes it as raw two's
// complement, so 0xff…f is -1) and needs a digit; otherwise U256::from_str,
// or for I256 alloy's I256::from_str: an optional sign, then the magnitude
// by U256::from_str, whose own 0x/0o/0b prefix makes -0x10 -16, and which
// must fit the signed range. Either way ruint skips '_'.
func parse256(s string, signed bool) (intVal, bool) {
	s = rustTrim(s)
	if s == "" {
		return intVal{}, false
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		if len(s) == 2 {
			return intVal{}, false
		}
		v, ok := parseRuint(s[2:], 16)
		if !ok || !v.fits(256, false) {
			return v, false
		}
		if signed {
			v = twosComplement256(v)
		}
		return v, true
	}
	minus := false
	if signed && (s[0] == '+' || s[0] == '-') {
		minus = s[0] == '-'
		s = s[1:]
	}
	v, ok := parseRuintPrefixed(s)
	if !ok || !v.fits(256, false) {
		return v, false
	}
	v.minus = minus
	return v, !signed || v.fits(256, true)
}

func compare256(value string, op operator, lit *literal, signed bool) (bool, error) {
	name := "U256"
	if signed {
		name = "I256"
	}
	l, ok := parse256(value, signed)
	if !ok {
		return false, evalErr(errParse, "value "+quoteCut(value)+" is not a valid "+name)
	}
	if lit.kind != litNumber && lit.kind != litString {
		return false, evalErr(errTypeMismatch, "expected a number or string literal for "+name+", found "+lit.kind.String())
	}
	r, ok := lit.int256(signed)
	if !ok {
		return false, evalErr(errParse, "literal "+quoteCut(lit.text)+" is not a valid "+name)
	}
	if !op.ordering() {
		return false, unsupported(op, name)
	}
	return applyOrdering(op, cmpInt(l, r)), nil
}

// normalizeEVMAddress strips a leading "0x", whitespace and case.
func normalizeEVMAddress(s string) string {
	s = strings.TrimPrefix(s, "0x")
	return rustLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

func sameEVMAddress(a, b string) bool { return normalizeEVMAddress(a) == normalizeEVMAddress(b) }

func compareEVMArray(value string, op operator, lit *literal) (bool, error) {
	switch {
	case lit.kind == litString:
	case lit.kind == litNumber && op == opContains:
	default:
		return false, evalErr(errTypeMismatch, "expected a string literal for array "+op.String()+", found "+lit.kind.String())
	}
	switch op {
	case opEq, opNe:
		lj, err := parseJSON(rustLower(value))
		if err != nil {
			return false, evalErr(errParse, "array value is not JSON: "+err.Error())
		}
		rj, err := parseJSON(lit.lower)
		if err != nil {
			return false, evalErr(errParse, "array literal is not JSON: "+err.Error())
		}
		if lj.typ != jArray || rj.typ != jArray {
			return false, evalErr(errTypeMismatch, "array == needs JSON arrays on both sides")
		}
		return lj.equal(&rj) == (op == opEq), nil
	case opContains:
		arr, err := parseJSON(value)
		if err == nil && arr.typ != jArray {
			err = errJSON
		}
		if err != nil {
			return false, evalErr(errParse, "array value is not a JSON array: "+err.Error())
		}
		for i := range arr.arr {
			if matchEVM(&arr.arr[i], lit.text) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, unsupported(op, "array")
}

// matchEVM is rule E.
func matchEVM(v *jsonValue, t string) bool {
	switch v.typ {
	case jString:
		if (EVM{}).jsonKind(v) == "address" {
			return sameEVMAddress(v.str, t)
		}
		return rustLower(v.str) == rustLower(t)
	case jNumber:
		txt := v.text()
		a, aok := parseDecimal(txt)
		b, bok := parseDecimal(t)
		if aok && bok {
			return a.Cmp(b) == 0
		}
		return txt == t
	case jBool:
		return strconv.FormatBool(v.b) == rustLower(t)
	case jObject:
		for i := range v.obj {
			if matchEVM(&v.obj[i].val, t) {
				return true
			}
		}
		return false
	case jArray:
		for i := range v.arr {
			if matchEVM(&v.arr[i], t) {
				return true
			}
		}
		return false
	}
	return t == "null"
}

// decimalLimit is rust_decimal's range: a 96-bit mantissa.
var decimalLimit = new(big.Int).Lsh(big.NewInt(1), 96)

// parseDecimal approximates rust_decimal's Decimal::from_str: an optional
// sign, digits with an optional fraction (no exponent), at most 28 decimal
// places, an integer part below 2^96. It returns an exact rational.
func parseDecimal(s string) (*big.Rat, bool) {
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	ip, fp, hasDot := strings.Cut(body, ".")
	if ip == "" && fp == "" {
		return nil, false
	}
	for _, part := range []string{ip, fp} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return nil, false
			}
		}
	}
	if hasDot && fp == "" && ip == "" {
		return nil, false
	}
	if len(fp) > 28 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.TrimSuffix(s, "."))
	if !ok {
		return nil, false
	}
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if n.CmpAbs(decimalLimit) >= 0 {
		return nil, false
	}
	return r, true
}

// compareTuple: == compares the texts with whitespace outside quotes
// removed (case-sensitive); contains searches the top-level elements.
func compareTuple(value string, op operator, lit *literal) (bool, error) {
	switch {
	case lit.kind == litString:
	case lit.kind == litNumber && op == opContains:
	default:
		return false, evalErr(errTypeMismatch, "expected a string literal for tuple "+op.String()+", found "+lit.kind.String())
	}
	switch op {
	case opEq, opNe:
		return (stripTupleSpace(value) == stripTupleSpace(lit.text)) == (op == opEq), nil
	case opContains:
		if !strings.HasPrefix(value, "(") || !strings.HasSuffix(value, ")") || len(value) < 2 {
			return false, evalErr(errParse, "invalid tuple "+quoteCut(value))
		}
		elems, err := tupleElements(value[1:len(value)-1], 0)
		if err != nil {
			return false, err
		}
		for i := range elems {
			if matchEVM(&elems[i], lit.text) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, unsupported(op, "tuple")
}

func stripTupleSpace(s string) string {
	var sb strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote == 0 && (r == '"' || r == '\''):
			quote = r
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && unicode.IsSpace(r):
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// tupleElements splits a tuple body at top-level commas: nested "(…)"
// becomes an array of its elements, "[…"/"{…" must be JSON, anything else
// is JSON if it parses and a string otherwise.
func tupleElements(body string, depth int) ([]jsonValue, error) {
	if depth >= jsonMaxDepth {
		return nil, evalErr(errParse, "tuple nested too deeply")
	}
	if rustTrim(body) == "" {
		return nil, nil
	}
	var out []jsonValue
	i := 0
	for i < len(body) {
		start, nest := i, 0
		var quote byte
		for i < len(body) {
			c := body[i]
			if nest == 0 && quote == 0 && c == ',' {
				break
			}
			i++
			switch {
			case c == '"' || c == '\'':
				if quote == 0 {
					quote = c
				} else if quote == c {
					quote = 0
				}
			case quote == 0 && (c == '[' || c == '{' || c == '('):
				nest++
			case quote == 0 && (c == ']' || c == '}' || c == ')'):
				nest--
			}
		}
		elem := body[start:i]
		if elem != "" {
			switch {
			case strings.HasPrefix(elem, "(") && strings.HasSuffix(elem, ")") && len(elem) >= 2:
				inner, err := tupleElements(elem[1:len(elem)-1], depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, jsonValue{typ: jArray, arr: inner})
			case strings.HasPrefix(elem, "[") || strings.HasPrefix(elem, "{"):
				v, err := parseJSON(elem)
				if err != nil {
					return nil, evalErr(errParse, "tuple element "+quoteCut(elem)+" is not JSON: "+err.Error())
				}
				out = append(out, v)
			default:
				v, err := parseJSON(elem)
				if err != nil {
					v = jsonValue{typ: jString, str: elem}
				}
				out = append(out, v)
			}
		}
		if i < len(body) && body[i] == ',' {
			i++
		}
	}
	return out, nil
}

// jsonKind is the EVM kind of a node reached by path access.
func (EVM) jsonKind(v *jsonValue) string {
	switch v.typ {
	case jString:
		s := v.str
		if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && allHex(s[2:]) {
			switch len(s) {
			case 42:
				return "address"
			case 66:
				return "bytes32"
			}
			return "bytes"
		}
		return "string"
	case jNumber:
		if v.ntyp == numNegInt {
			return "int64"
		}
		return "number"
	case jBool:
		return "bool"
	case jArray:
		return "array"
	case jObject:
		return "map"
	}
	return "null"
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}
