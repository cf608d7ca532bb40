package expr

import (
	"errors"
	"github.com/ozmon/ozmon/chain"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader with serde_json's semantics, which OpenZeppelin
// Monitor's comparisons observe: integers that fit u64/i64 are exact and
// distinct from floats (1 != 1.0), larger ones become f64, objects are
// key-sorted maps where the last duplicate wins, lone surrogates and
// nesting deeper than 127 levels are errors, and numbers print the way
// serde_json prints them.

type jsonType uint8

const (
	jNull jsonType = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

type numType uint8

const (
	numPosInt numType = iota // fits u64
	numNegInt                // negative, fits i64
	numFloat
)

type jsonValue struct {
	typ  jsonType
	b    bool
	str  string // jString content
	ntyp numType
	u    uint64
	i    int64
	f    float64
	arr  []jsonValue
	obj  []jsonMember // sorted by key, unique
}

type jsonMember struct {
	key string
	val jsonValue
}

const jsonMaxDepth = 128

var errJSON = errors.New("invalid JSON")

// parseJSON parses a complete JSON document (surrounding whitespace allowed).
func parseJSON(s string) (jsonValue, error) {
	r := jsonReader{s: s}
	r.ws()
	v, err := r.value(0)
	if err != nil {
		return jsonValue{}, err
	}
	r.ws()
	if r.p != len(s) {
		return jsonValue{}, r.fail("trailing characters")
	}
	return v, nil
}

type jsonReader struct {
	s string
	p int
}

func (r *jsonReader) fail(msg string) error {
	return errors.New(msg + " at offset " + strconv.Itoa(r.p))
}

func (r *jsonReader) ws() {
	for r.p < len(r.s) {
		switch r.s[r.p] {
		case ' ', '\t', '\n', '\r':
			r.p++
		default:
			return
		}
	}
}

func (r *jsonReader) value(depth int) (jsonValue, error) {
	if r.p >= len(r.s) {
		return jsonValue{}, r.fail("unexpected end of JSON")
	}
	switch c := r.s[r.p]; {
	case c == 'n':
		return jsonValue{typ: jNull}, r.word("null")
	case c == 't':
		return jsonValue{typ: jBool, b: true}, r.word("true")
	case c == 'f':
		return jsonValue{typ: jBool}, r.word("false")
	case c == '"':
		s, err := r.string()
		return jsonValue{typ: jString, str: s}, err
	case c == '-' || isDigit(c):
		return r.number()
	case c == '[':
		return r.array(depth)
	case c == '{':
		return r.object(depth)
	}
	return jsonValue{}, r.fail("unexpected character")
}

func (r *jsonReader) array(depth int) (jsonValue, error) {
	v := jsonValue{typ: jArray}
	if empty, err := r.open(depth, ']'); err != nil || empty {
		return v, err
	}
	for {
		r.ws()
		e, err := r.value(depth + 1)
		if err != nil {
			return jsonValue{}, err
		}
		v.arr = append(v.arr, e)
		if end, err := r.next(']'); err != nil || end {
			return v, err
		}
	}
}

func (r *jsonReader) object(depth int) (jsonValue, error) {
	v := jsonValue{typ: jObject}
	if empty, err := r.open(depth, '}'); err != nil || empty {
		return v, err
	}
	for {
		r.ws()
		if r.p >= len(r.s) || r.s[r.p] != '"' {
			return jsonValue{}, r.fail("expected object key")
		}
		k, err := r.string()
		if err != nil {
			return jsonValue{}, err
		}
		r.ws()
		if r.p >= len(r.s) || r.s[r.p] != ':' {
			return jsonValue{}, r.fail("expected ':'")
		}
		r.p++
		r.ws()
		e, err := r.value(depth + 1)
		if err != nil {
			return jsonValue{}, err
		}
		v.obj = append(v.obj, jsonMember{k, e})
		if end, err := r.next('}'); err != nil || end {
			v.obj = sortMembers(v.obj)
			return v, err
		}
	}
}

// open consumes the bracket opening an array or object at depth, and its
// closing one too when the container is empty.
func (r *jsonReader) open(depth int, closer byte) (empty bool, err error) {
	if depth+1 >= jsonMaxDepth {
		return false, r.fail("recursion limit exceeded")
	}
	r.p++
	r.ws()
	if r.p < len(r.s) && r.s[r.p] == closer {
		r.p++
		return true, nil
	}
	return false, nil
}

// next consumes the ',' or closing bracket after a container's element and
// reports whether the container ended.
func (r *jsonReader) next(closer byte) (end bool, err error) {
	r.ws()
	if r.p >= len(r.s) {
		return false, r.fail("unexpected end of JSON")
	}
	switch r.s[r.p] {
	case ',':
		r.p++
		return false, nil
	case closer:
		r.p++
		return true, nil
	}
	return false, r.fail("expected ',' or '" + string(rune(closer)) + "'")
}

// sortMembers orders members by key and keeps the last of equal keys, as a
// BTreeMap built by successive inserts does.
func sortMembers(m []jsonMember) []jsonMember {
	slices.SortStableFunc(m, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
	out := m[:0]
	for i := range m {
		if i+1 < len(m) && m[i+1].key == m[i].key {
			continue
		}
		out = append(out, m[i])
	}
	return out
}

func (r *jsonReader) word(w string) error {
	if !strings.HasPrefix(r.s[r.p:], w) {
		return r.fail("invalid literal")
	}
	r.p += len(w)
	return nil
}

func (r *jsonReader) string() (string, error) {
	r.p++ // opening quote
	start := r.p
	var sb *strings.Builder
	for r.p < len(r.s) {
		c := r.s[r.p]
		switch {
		case c == '"':
			out := r.s[start:r.p]
			if sb != nil {
				out = sb.String()
			}
			r.p++
			return out, nil
		case c < 0x20:
			return "", r.fail("control character in string")
		case c == '\\':
			if sb == nil {
				sb = &strings.Builder{}
				sb.WriteString(r.s[start:r.p])
			}
			if err := r.escape(sb); err != nil {
				return "", err
			}
		case c >= utf8.RuneSelf:
			rr, n := utf8.DecodeRuneInString(r.s[r.p:])
			if rr == utf8.RuneError && n == 1 {
				return "", r.fail("invalid UTF-8")
			}
			if sb != nil {
				sb.WriteString(r.s[r.p : r.p+n])
			}
			r.p += n
		default:
			if sb != nil {
				sb.WriteByte(c)
			}
			r.p++
		}
	}
	return "", r.fail("unterminated string")
}

func (r *jsonReader) escape(sb *strings.Builder) error {
	r.p++ // backslash
	if r.p >= len(r.s) {
		return r.fail("unterminated escape")
	}
	c := r.s[r.p]
	r.p++
	switch c {
	case '"', '\\', '/':
		sb.WriteByte(c)
	case 'b':
		sb.WriteByte('\b')
	case 'f':
		sb.WriteByte('\f')
	case 'n':
		sb.WriteByte('\n')
	case 'r':
		sb.WriteByte('\r')
	case 't':
		sb.WriteByte('\t')
	case 'u':
		u, err := r.hex4()
		if err != nil {
			return err
		}
		switch {
		case utf16.IsSurrogate(rune(u)) && u < 0xDC00:
			if !strings.HasPrefix(r.s[r.p:], `\u`) {
				return r.fail("lone leading surrogate")
			}
			r.p += 2
			lo, err := r.hex4()
			if err != nil {
				return err
			}
			if lo < 0xDC00 || lo > 0xDFFF {
				return r.fail("invalid low surrogate")
			}
			sb.WriteRune(utf16.DecodeRune(rune(u), rune(lo)))
		case utf16.IsSurrogate(rune(u)):
			return r.fail("lone trailing surrogate")
		default:
			sb.WriteRune(rune(u))
		}
	default:
		return r.fail("invalid escape")
	}
	return nil
}

func (r *jsonReader) hex4() (uint16, error) {
	if len(r.s)-r.p < 4 {
		return 0, r.fail("short unicode escape")
	}
	v, err := strconv.ParseUint(r.s[r.p:r.p+4], 16, 16)
	if err != nil || strings.ContainsAny(r.s[r.p:r.p+4], "+-_") {
		return 0, r.fail("invalid unicode escape")
	}
	r.p += 4
	return uint16(v), nil
}

func (r *jsonReader) number() (jsonValue, error) {
	start := r.p
	neg := false
	if r.s[r.p] == '-' {
		neg = true
		r.p++
	}
	if r.p >= len(r.s) || !isDigit(r.s[r.p]) {
		return jsonValue{}, r.fail("invalid number")
	}
	if r.s[r.p] == '0' {
		r.p++
		if r.p < len(r.s) && isDigit(r.s[r.p]) {
			return jsonValue{}, r.fail("invalid number")
		}
	} else {
		for r.p < len(r.s) && isDigit(r.s[r.p]) {
			r.p++
		}
	}
	intEnd := r.p
	isFloat := false
	if r.p < len(r.s) && r.s[r.p] == '.' {
		isFloat = true
		r.p++
		ds := r.p
		for r.p < len(r.s) && isDigit(r.s[r.p]) {
			r.p++
		}
		if r.p == ds {
			return jsonValue{}, r.fail("invalid number")
		}
	}
	if r.p < len(r.s) && (r.s[r.p] == 'e' || r.s[r.p] == 'E') {
		isFloat = true
		r.p++
		if r.p < len(r.s) && (r.s[r.p] == '+' || r.s[r.p] == '-') {
			r.p++
		}
		ds := r.p
		for r.p < len(r.s) && isDigit(r.s[r.p]) {
			r.p++
		}
		if r.p == ds {
			return jsonValue{}, r.fail("invalid number")
		}
	}
	text := r.s[start:r.p]
	if !isFloat {
		digits := r.s[start:intEnd]
		if neg {
			if i, err := strconv.ParseInt(digits, 10, 64); err == nil {
				if i == 0 {
					return jsonValue{typ: jNumber, ntyp: numPosInt}, nil
				}
				return jsonValue{typ: jNumber, ntyp: numNegInt, i: i}, nil
			}
		} else if u, err := strconv.ParseUint(digits, 10, 64); err == nil {
			return jsonValue{typ: jNumber, ntyp: numPosInt, u: u}, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && (math.IsInf(f, 0) || !errors.Is(err, strconv.ErrRange)) {
		return jsonValue{}, r.fail("number out of range")
	}
	return jsonValue{typ: jNumber, ntyp: numFloat, f: f}, nil
}

// get returns the member named key.
func (v *jsonValue) get(key string) (*jsonValue, bool) {
	i, ok := slices.BinarySearchFunc(v.obj, key, func(m jsonMember, k string) int { return strings.Compare(m.key, k) })
	if !ok {
		return nil, false
	}
	return &v.obj[i].val, true
}

// equal is serde_json's Value equality.
func (v *jsonValue) equal(w *jsonValue) bool {
	if v.typ != w.typ {
		return false
	}
	switch v.typ {
	case jNull:
		return true
	case jBool:
		return v.b == w.b
	case jString:
		return v.str == w.str
	case jNumber:
		if v.ntyp != w.ntyp {
			return false
		}
		switch v.ntyp {
		case numPosInt:
			return v.u == w.u
		case numNegInt:
			return v.i == w.i
		}
		return v.f == w.f
	case jArray:
		if len(v.arr) != len(w.arr) {
			return false
		}
		for i := range v.arr {
			if !v.arr[i].equal(&w.arr[i]) {
				return false
			}
		}
		return true
	case jObject:
		if len(v.obj) != len(w.obj) {
			return false
		}
		for i := range v.obj {
			if v.obj[i].key != w.obj[i].key || !v.obj[i].val.equal(&w.obj[i].val) {
				return false
			}
		}
		return true
	}
	return false
}

// text is how OpenZeppelin Monitor turns a resolved JSON node back into a
// string: a string's content, otherwise serde_json's compact rendering.
func (v *jsonValue) text() string {
	if v.typ == jString {
		return v.str
	}
	return string(v.appendJSON(nil))
}

// appendJSON appends serde_json's compact rendering (to_string).
func (v *jsonValue) appendJSON(b []byte) []byte {
	switch v.typ {
	case jNull:
		return append(b, "null"...)
	case jBool:
		return strconv.AppendBool(b, v.b)
	case jString:
		return chain.AppendJSONString(b, v.str)
	case jNumber:
		switch v.ntyp {
		case numPosInt:
			return strconv.AppendUint(b, v.u, 10)
		case numNegInt:
			return strconv.AppendInt(b, v.i, 10)
		}
		return appendRyu(b, v.f)
	case jArray:
		b = append(b, '[')
		for i := range v.arr {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.arr[i].appendJSON(b)
		}
		return append(b, ']')
	case jObject:
		b = append(b, '{')
		for i := range v.obj {
			if i > 0 {
				b = append(b, ',')
			}
			b = chain.AppendJSONString(b, v.obj[i].key)
			b = append(b, ':')
			b = v.obj[i].val.appendJSON(b)
		}
		return append(b, '}')
	}
	return b
}

// appendRyu formats a finite f64 the way Rust's ryu crate (used by
// serde_json) does: "1.0", "0.001", "1e16", "1.5e-7".
func appendRyu(b []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// Shortest round-trip digits d1.d2d3…e±X.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expText, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expText)
	length := len(digits)
	k := exp - (length - 1) // value = digits × 10^k
	kk := length + k        // position of the decimal point
	switch {
	case k >= 0 && kk <= 16:
		b = append(b, digits...)
		for i := 0; i < k; i++ {
			b = append(b, '0')
		}
		return append(b, ".0"...)
	case kk > 0 && kk <= 16:
		b = append(b, digits[:kk]...)
		b = append(b, '.')
		return append(b, digits[kk:]...)
	case kk > -5 && kk <= 0:
		b = append(b, "0."...)
		for i := 0; i < -kk; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	case length == 1:
		b = append(b, digits...)
		b = append(b, 'e')
		return strconv.AppendInt(b, int64(kk-1), 10)
	}
	b = append(b, digits[0], '.')
	b = append(b, digits[1:]...)
	b = append(b, 'e')
	return strconv.AppendInt(b, int64(kk-1), 10)
}
