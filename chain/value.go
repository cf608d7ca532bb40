package chain

import (
	"encoding/hex"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of a Value: one per Stellar ScVal kind that a monitor can
// see. The names (Kind.String) are OpenZeppelin Monitor's type names.
type Kind uint8

const (
	KindVoid Kind = iota
	KindBool
	KindU32
	KindI32
	KindU64
	KindI64
	KindTimepoint
	KindDuration
	KindU128
	KindI128
	KindU256
	KindI256
	KindBytes
	KindString
	KindSymbol
	KindAddress
	KindVec
	KindMap
	KindError
	// KindOther carries the rare ScVal kinds no monitor matches on
	// (contract instance, ledger keys); Text holds a readable rendering.
	KindOther
)

var kindNames = [...]string{
	KindVoid: "Void", KindBool: "Bool", KindU32: "U32", KindI32: "I32", KindU64: "U64",
	KindI64: "I64", KindTimepoint: "Timepoint", KindDuration: "Duration", KindU128: "U128",
	KindI128: "I128", KindU256: "U256", KindI256: "I256", KindBytes: "Bytes",
	KindString: "String", KindSymbol: "Symbol", KindAddress: "Address", KindVec: "Vec",
	KindMap: "Map", KindError: "Error", KindOther: "Other",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a typed, exact value: a Stellar ScVal (later an ABI value).
// Integers are never floats: up to 64 bits they live in Int (two's
// complement for signed kinds), 128- and 256-bit ones as a decimal string in
// Text, so that no precision is lost and rendering is free.
type Value struct {
	Kind    Kind       `json:"k"`
	Int     uint64     `json:"i,omitempty"` // Bool (0/1), U32…I64, Timepoint, Duration
	Text    string     `json:"t,omitempty"` // String, Symbol, Address, 128/256-bit decimal, Error/Other text
	Bytes   []byte     `json:"b,omitempty"`
	Items   []Value    `json:"v,omitempty"` // Vec
	Entries []MapEntry `json:"m,omitempty"` // Map, in the ledger's (sorted) order
}

// MapEntry is one key/value pair of a Map value.
type MapEntry struct {
	Key Value `json:"k"`
	Val Value `json:"v"`
}

// Constructors. They keep the representation rules in one place.

func Void() Value { return Value{Kind: KindVoid} }
func Bool(b bool) Value {
	v := Value{Kind: KindBool}
	if b {
		v.Int = 1
	}
	return v
}
func U32(n uint32) Value       { return Value{Kind: KindU32, Int: uint64(n)} }
func I32(n int32) Value        { return Value{Kind: KindI32, Int: uint64(int64(n))} }
func U64(n uint64) Value       { return Value{Kind: KindU64, Int: n} }
func I64(n int64) Value        { return Value{Kind: KindI64, Int: uint64(n)} }
func Timepoint(n uint64) Value { return Value{Kind: KindTimepoint, Int: n} }
func Duration(n uint64) Value  { return Value{Kind: KindDuration, Int: n} }
func String(s string) Value    { return Value{Kind: KindString, Text: s} }
func Symbol(s string) Value    { return Value{Kind: KindSymbol, Text: s} }
func Address(s string) Value   { return Value{Kind: KindAddress, Text: s} }
func Bytes(b []byte) Value     { return Value{Kind: KindBytes, Bytes: b} }
func Vec(items ...Value) Value { return Value{Kind: KindVec, Items: items} }
func Map(e ...MapEntry) Value  { return Value{Kind: KindMap, Entries: e} }
func Error(text string) Value  { return Value{Kind: KindError, Text: text} }
func Other(text string) Value  { return Value{Kind: KindOther, Text: text} }

// U128 builds a U128 from its high and low 64-bit halves.
func U128(hi, lo uint64) Value {
	if hi == 0 {
		return Value{Kind: KindU128, Text: strconv.FormatUint(lo, 10)}
	}
	return Value{Kind: KindU128, Text: words([]uint64{hi, lo}, false).String()}
}

// I128 builds an I128 from its two's-complement halves.
func I128(hi int64, lo uint64) Value {
	switch {
	case hi == 0 && lo <= 1<<63-1:
		return Value{Kind: KindI128, Text: strconv.FormatUint(lo, 10)}
	case hi == -1 && lo >= 1<<63:
		return Value{Kind: KindI128, Text: strconv.FormatInt(int64(lo), 10)}
	}
	return Value{Kind: KindI128, Text: words([]uint64{uint64(hi), lo}, true).String()}
}

// U256 builds a U256 from its four 64-bit words, most significant first.
func U256(hiHi, hiLo, loHi, loLo uint64) Value {
	if hiHi == 0 && hiLo == 0 && loHi == 0 {
		return Value{Kind: KindU256, Text: strconv.FormatUint(loLo, 10)}
	}
	return Value{Kind: KindU256, Text: words([]uint64{hiHi, hiLo, loHi, loLo}, false).String()}
}

// I256 builds an I256 from its four two's-complement words, most significant first.
func I256(hiHi int64, hiLo, loHi, loLo uint64) Value {
	if hiHi == 0 && hiLo == 0 && loHi == 0 && loLo <= 1<<63-1 {
		return Value{Kind: KindI256, Text: strconv.FormatUint(loLo, 10)}
	}
	return Value{Kind: KindI256, Text: words([]uint64{uint64(hiHi), hiLo, loHi, loLo}, true).String()}
}

// words assembles big-endian 64-bit words into an integer, reading them as
// two's complement when signed.
func words(ws []uint64, signed bool) *big.Int {
	n := new(big.Int)
	for _, w := range ws {
		n.Lsh(n, 64)
		n.Or(n, new(big.Int).SetUint64(w))
	}
	if signed && int64(ws[0]) < 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(64*len(ws))))
	}
	return n
}

// IsInteger reports whether v is one of the integer kinds (Timepoint and
// Duration included).
func (v Value) IsInteger() bool {
	return v.Kind >= KindU32 && v.Kind <= KindI256
}

// BigInt returns an integer value exactly; ok is false for other kinds.
func (v Value) BigInt() (n *big.Int, ok bool) {
	switch v.Kind {
	case KindU32, KindU64, KindTimepoint, KindDuration:
		return new(big.Int).SetUint64(v.Int), true
	case KindI32, KindI64:
		return big.NewInt(int64(v.Int)), true
	case KindU128, KindI128, KindU256, KindI256:
		return new(big.Int).SetString(v.Text, 10)
	}
	return nil, false
}

// Decimal returns an integer value's exact decimal text; ok is false for
// other kinds.
func (v Value) Decimal() (s string, ok bool) {
	switch v.Kind {
	case KindU32, KindU64, KindTimepoint, KindDuration:
		return strconv.FormatUint(v.Int, 10), true
	case KindI32, KindI64:
		return strconv.FormatInt(int64(v.Int), 10), true
	case KindU128, KindI128, KindU256, KindI256:
		return v.Text, true
	}
	return "", false
}

// String is OpenZeppelin Monitor's Display rendering (used for event
// arguments): integers decimal, bytes lowercase hex, strings raw, Vec
// "[a,b]", Map "{k:v}" with sorted keys, Void "null".
func (v Value) String() string {
	var sb strings.Builder
	v.appendDisplay(&sb)
	return sb.String()
}

func (v Value) appendDisplay(sb *strings.Builder) {
	switch v.Kind {
	case KindVoid:
		sb.WriteString("null")
	case KindBool:
		sb.WriteString(strconv.FormatBool(v.Int != 0))
	case KindBytes:
		sb.WriteString(hex.EncodeToString(v.Bytes))
	case KindVec:
		sb.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				sb.WriteByte(',')
			}
			it.appendDisplay(sb)
		}
		sb.WriteByte(']')
	case KindMap:
		type kv struct{ k, v string }
		pairs := make([]kv, len(v.Entries))
		for i, e := range v.Entries {
			pairs[i] = kv{e.Key.String(), e.Val.String()}
		}
		slices.SortStableFunc(pairs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		sb.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(p.k)
			sb.WriteByte(':')
			sb.WriteString(p.v)
		}
		sb.WriteByte('}')
	default:
		if d, ok := v.Decimal(); ok {
			sb.WriteString(d)
			return
		}
		sb.WriteString(v.Text)
	}
}

// TypeName is the runtime type name OpenZeppelin Monitor derives from a
// value (docs/compatibility.md#values-as-text): "I128", "Bytes32" for non-empty bytes of length 32,
// "Vec<Address,I128>" (consecutive duplicates removed), "Map<String,U32>"
// (keys always typed String).
func (v Value) TypeName() string {
	switch v.Kind {
	case KindBytes:
		if len(v.Bytes) == 0 {
			return "Bytes"
		}
		return "Bytes" + strconv.Itoa(len(v.Bytes))
	case KindVec:
		return "Vec<" + dedupTypes(len(v.Items), func(i int) string { return v.Items[i].TypeName() }) + ">"
	case KindMap:
		// OZ builds a JSON object first: keys sorted, a repeated key keeps
		// its last value; the value types follow that order.
		type kt struct{ k, t string }
		pairs := make([]kt, 0, len(v.Entries))
		for _, e := range v.Entries {
			pairs = append(pairs, kt{e.Key.String(), e.Val.TypeName()})
		}
		slices.SortStableFunc(pairs, func(a, b kt) int { return strings.Compare(a.k, b.k) })
		kept := pairs[:0]
		for i, p := range pairs {
			if i+1 < len(pairs) && pairs[i+1].k == p.k {
				continue
			}
			kept = append(kept, p)
		}
		pairs = kept
		return "Map<String," + dedupTypes(len(pairs), func(i int) string { return pairs[i].t }) + ">"
	case KindError, KindOther:
		return "Void"
	}
	return v.Kind.String()
}

func dedupTypes(n int, at func(int) string) string {
	if n == 0 {
		return "Void"
	}
	var sb strings.Builder
	prev := ""
	for i := 0; i < n; i++ {
		t := at(i)
		if i > 0 && t == prev {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(t)
		prev = t
	}
	return sb.String()
}
