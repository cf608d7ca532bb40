package monitor

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Borsh decoding of Anchor instruction arguments and event fields
// (docs/compatibility.md#solana-functions): integers little-endian and
// exact (u64/i64 in chain.Value.Int, 128/256-bit as decimal text), strings,
// bytes and vecs with a u32 length, options with a one-byte tag (COption a
// four-byte one), fixed arrays, tuples, defined structs (a Map keyed by
// field name, in field order), enums (a one-byte variant index: a unit
// variant is its name as a Symbol, others a one-entry Map name → fields),
// public keys as base58 Addresses.

// errBorshShort is returned when the data ends before the value does.
var errBorshShort = errors.New("data too short")

// maxBorshDepth bounds nesting: an IDL may define recursive types, and
// the data is untrusted.
const maxBorshDepth = 32

type borshReader struct {
	b   []byte
	idl *ozconfig.SolanaIDL
}

func (r *borshReader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b) {
		return nil, errBorshShort
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out, nil
}

func (r *borshReader) u32() (uint32, error) {
	b, err := r.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// decodeFields reads a sequence of named fields.
func (r *borshReader) decodeFields(fields []ozconfig.SolanaIDLField, depth int) ([]chain.Value, error) {
	out := make([]chain.Value, len(fields))
	for i := range fields {
		v, err := r.value(&fields[i].Type, depth)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fields[i].Name, err)
		}
		out[i] = v
	}
	return out, nil
}

func (r *borshReader) value(t *ozconfig.SolanaIDLType, depth int) (chain.Value, error) {
	if depth > maxBorshDepth {
		return chain.Value{}, fmt.Errorf("types nested more than %d deep", maxBorshDepth)
	}
	switch {
	case t.Vec != nil:
		n, err := r.u32()
		if err != nil {
			return chain.Value{}, err
		}
		if int64(n) > int64(len(r.b)) {
			// Every element takes at least a byte (zero-sized elements
			// are not worth a denial of service).
			return chain.Value{}, fmt.Errorf("vec of %d elements in %d bytes", n, len(r.b))
		}
		return r.seq(t.Vec, int(n), depth)
	case t.Array != nil:
		if t.Len > len(r.b) {
			return chain.Value{}, errBorshShort
		}
		return r.seq(t.Array, t.Len, depth)
	case t.Option != nil || t.COption != nil:
		inner, tagLen := t.Option, 1
		if inner == nil {
			inner, tagLen = t.COption, 4
		}
		tag, err := r.take(tagLen)
		if err != nil {
			return chain.Value{}, err
		}
		switch tag[0] {
		case 0:
			return chain.Void(), nil
		case 1:
			return r.value(inner, depth+1)
		}
		return chain.Value{}, fmt.Errorf("option tag %d", tag[0])
	case t.Tuple != nil:
		items := make([]chain.Value, len(t.Tuple))
		for i := range t.Tuple {
			v, err := r.value(&t.Tuple[i], depth+1)
			if err != nil {
				return chain.Value{}, err
			}
			items[i] = v
		}
		return chain.Vec(items...), nil
	case t.Defined != "":
		return r.defined(t.Defined, depth)
	}
	return r.prim(t.Prim)
}

func (r *borshReader) seq(elem *ozconfig.SolanaIDLType, n, depth int) (chain.Value, error) {
	items := make([]chain.Value, n)
	for i := range items {
		v, err := r.value(elem, depth+1)
		if err != nil {
			return chain.Value{}, err
		}
		items[i] = v
	}
	return chain.Vec(items...), nil
}

func (r *borshReader) defined(name string, depth int) (chain.Value, error) {
	td := r.idl.Types[name]
	if td == nil {
		return chain.Value{}, fmt.Errorf("type %q is not defined in the IDL", name)
	}
	switch td.Kind {
	case "struct":
		if td.Tuple != nil {
			return r.value(&ozconfig.SolanaIDLType{Tuple: td.Tuple}, depth+1)
		}
		return r.structValue(td.Fields, depth)
	case "enum":
		b, err := r.take(1)
		if err != nil {
			return chain.Value{}, err
		}
		if int(b[0]) >= len(td.Variants) {
			return chain.Value{}, fmt.Errorf("enum %s has no variant %d", name, b[0])
		}
		va := &td.Variants[b[0]]
		var inner chain.Value
		switch {
		case va.Fields != nil:
			if inner, err = r.structValue(va.Fields, depth); err != nil {
				return chain.Value{}, err
			}
		case va.Tuple != nil:
			if inner, err = r.value(&ozconfig.SolanaIDLType{Tuple: va.Tuple}, depth+1); err != nil {
				return chain.Value{}, err
			}
		default:
			return chain.Symbol(va.Name), nil
		}
		return chain.Map(chain.MapEntry{Key: chain.Symbol(va.Name), Val: inner}), nil
	case "type":
		return r.value(td.Alias, depth+1)
	}
	return chain.Value{}, fmt.Errorf("type %q has no kind", name)
}

func (r *borshReader) structValue(fields []ozconfig.SolanaIDLField, depth int) (chain.Value, error) {
	entries := make([]chain.MapEntry, len(fields))
	for i := range fields {
		v, err := r.value(&fields[i].Type, depth+1)
		if err != nil {
			return chain.Value{}, fmt.Errorf("%s: %w", fields[i].Name, err)
		}
		entries[i] = chain.MapEntry{Key: chain.Symbol(fields[i].Name), Val: v}
	}
	return chain.Map(entries...), nil
}

func (r *borshReader) prim(name string) (chain.Value, error) {
	size := primSize(name)
	switch name {
	case "string", "bytes":
		n, err := r.u32()
		if err != nil {
			return chain.Value{}, err
		}
		b, err := r.take(int(min(n, math.MaxInt32)))
		if err != nil {
			return chain.Value{}, err
		}
		if name == "bytes" {
			return chain.Bytes(b), nil
		}
		return chain.String(string(b)), nil
	}
	if size == 0 {
		return chain.Value{}, fmt.Errorf("type %q is not a Borsh type ozmon decodes", name)
	}
	b, err := r.take(size)
	if err != nil {
		return chain.Value{}, err
	}
	le := binary.LittleEndian
	switch name {
	case "bool":
		if b[0] > 1 {
			return chain.Value{}, fmt.Errorf("bool byte %d", b[0])
		}
		return chain.Bool(b[0] == 1), nil
	case "u8":
		return chain.U32(uint32(b[0])), nil
	case "i8":
		return chain.I32(int32(int8(b[0]))), nil
	case "u16":
		return chain.U32(uint32(le.Uint16(b))), nil
	case "i16":
		return chain.I32(int32(int16(le.Uint16(b)))), nil
	case "u32":
		return chain.U32(le.Uint32(b)), nil
	case "i32":
		return chain.I32(int32(le.Uint32(b))), nil
	case "u64":
		return chain.U64(le.Uint64(b)), nil
	case "i64":
		return chain.I64(int64(le.Uint64(b))), nil
	case "f32":
		return chain.Other(strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)), nil
	case "f64":
		return chain.Other(strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)), nil
	case "u128":
		return chain.U128(le.Uint64(b[8:]), le.Uint64(b)), nil
	case "i128":
		return chain.I128(int64(le.Uint64(b[8:])), le.Uint64(b)), nil
	case "u256":
		return chain.U256(le.Uint64(b[24:]), le.Uint64(b[16:]), le.Uint64(b[8:]), le.Uint64(b)), nil
	case "i256":
		return chain.I256(int64(le.Uint64(b[24:])), le.Uint64(b[16:]), le.Uint64(b[8:]), le.Uint64(b)), nil
	}
	return chain.Address(base58.Encode(b)), nil // pubkey
}

// primSize is the fixed size of a primitive, 0 for variable-size or
// unknown ones.
func primSize(name string) int {
	switch name {
	case "bool", "u8", "i8":
		return 1
	case "u16", "i16":
		return 2
	case "u32", "i32", "f32":
		return 4
	case "u64", "i64", "f64":
		return 8
	case "u128", "i128":
		return 16
	case "u256", "i256", "pubkey":
		return 32
	}
	return 0
}

// solanaArgText renders a decoded value for expressions and payloads:
// integers in decimal, public keys base58, strings raw, bytes 0x-hex,
// None "null", and compound values (vec, array, tuple, struct, enum with
// fields) as compact JSON, so that expressions reach into them by path.
func solanaArgText(v chain.Value) string {
	switch v.Kind {
	case chain.KindVec, chain.KindMap:
		return string(appendSolanaJSON(nil, v))
	case chain.KindVoid:
		return "null"
	case chain.KindBytes:
		return "0x" + hex.EncodeToString(v.Bytes)
	case chain.KindBool:
		return strconv.FormatBool(v.Int != 0)
	}
	if s, ok := v.Decimal(); ok {
		return s
	}
	return v.Text // String, Symbol, Address, Other (floats)
}

// solanaArgKind is the kind an argument of IDL type t with value v gets
// (docs/compatibility.md#solana-functions): the primitive's name ("u64",
// "pubkey", …); for an Option its inner kind, or "null" for None; "vec"
// for vecs, arrays and tuples; "object" for structs and enums with fields;
// "string" for a unit enum variant.
func solanaArgKind(t *ozconfig.SolanaIDLType, v chain.Value, idl *ozconfig.SolanaIDL) string {
	switch {
	case v.Kind == chain.KindVoid:
		return "null"
	case t.Option != nil:
		return solanaArgKind(t.Option, v, idl)
	case t.COption != nil:
		return solanaArgKind(t.COption, v, idl)
	case t.Vec != nil, t.Array != nil, t.Tuple != nil:
		return "vec"
	case t.Defined != "":
		switch v.Kind {
		case chain.KindSymbol:
			return "string"
		case chain.KindVec:
			return "vec"
		case chain.KindMap:
			return "object"
		}
		if td := idl.Types[t.Defined]; td != nil && td.Alias != nil {
			return solanaArgKind(td.Alias, v, idl)
		}
		return "string"
	}
	return t.Prim
}

// appendSolanaJSON writes v as compact JSON: integers as JSON numbers
// (as strings beyond 64 bits, to stay exact), floats as numbers (strings
// when not finite), maps as objects in field order.
func appendSolanaJSON(b []byte, v chain.Value) []byte {
	switch v.Kind {
	case chain.KindVoid:
		return append(b, "null"...)
	case chain.KindBool:
		return strconv.AppendBool(b, v.Int != 0)
	case chain.KindVec:
		b = append(b, '[')
		for i, it := range v.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSolanaJSON(b, it)
		}
		return append(b, ']')
	case chain.KindMap:
		b = append(b, '{')
		for i, e := range v.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e.Key.Text)
			b = append(b, ':')
			b = appendSolanaJSON(b, e.Val)
		}
		return append(b, '}')
	case chain.KindBytes:
		return strconv.AppendQuote(b, "0x"+hex.EncodeToString(v.Bytes))
	case chain.KindOther:
		if f, err := strconv.ParseFloat(v.Text, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return append(b, v.Text...)
		}
		return strconv.AppendQuote(b, v.Text)
	}
	if s, ok := v.Decimal(); ok {
		if fitsJSONInt(s) {
			return append(b, s...)
		}
		// A JSON number beyond 64 bits would be read back as a float
		// (serde_json's rule, which expressions follow): keep it exact as
		// a string.
		return appendJSONString(b, s)
	}
	return appendJSONString(b, v.Text)
}

// fitsJSONInt reports whether the decimal text is an i64 or u64.
func fitsJSONInt(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// appendJSONString quotes s as JSON (strconv.AppendQuote is Go syntax,
// which differs for invalid UTF-8 and some escapes).
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
