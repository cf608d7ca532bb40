package chain

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// AppendOZJSON appends OpenZeppelin Monitor's JSON rendering of v (section
// 3.4a, used for function arguments): 32/64-bit integers as JSON numbers,
// 128/256-bit ones as {"type":"I128","value":"…"}, bytes as lowercase hex,
// Vec as an array, Map as an object with sorted keys (duplicates collapse to
// the last), Void and Error as null.
func (v Value) AppendOZJSON(b []byte) []byte {
	switch v.Kind {
	case KindVoid, KindError, KindOther:
		return append(b, "null"...)
	case KindBool:
		return strconv.AppendBool(b, v.Int != 0)
	case KindU32, KindU64, KindTimepoint, KindDuration:
		return strconv.AppendUint(b, v.Int, 10)
	case KindI32, KindI64:
		return strconv.AppendInt(b, int64(v.Int), 10)
	case KindU128, KindI128, KindU256, KindI256:
		b = append(b, `{"type":"`...)
		b = append(b, v.Kind.String()...)
		b = append(b, `","value":"`...)
		b = append(b, v.Text...)
		return append(b, `"}`...)
	case KindBytes:
		b = append(b, '"')
		b = hex.AppendEncode(b, v.Bytes)
		return append(b, '"')
	case KindString, KindSymbol, KindAddress:
		return AppendJSONString(b, v.Text)
	case KindVec:
		b = append(b, '[')
		for i, it := range v.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.AppendOZJSON(b)
		}
		return append(b, ']')
	case KindMap:
		type kv struct {
			k string
			v Value
		}
		pairs := make([]kv, 0, len(v.Entries))
		for _, e := range v.Entries {
			pairs = append(pairs, kv{e.Key.String(), e.Val})
		}
		slices.SortStableFunc(pairs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b = append(b, '{')
		for i, p := range pairs {
			if i+1 < len(pairs) && pairs[i+1].k == p.k {
				continue // a sorted map keeps the last of equal keys
			}
			if len(b) > 0 && b[len(b)-1] != '{' {
				b = append(b, ',')
			}
			b = AppendJSONString(b, p.k)
			b = append(b, ':')
			b = p.v.AppendOZJSON(b)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

// OZJSON returns AppendOZJSON's rendering as a string.
func (v Value) OZJSON() string { return string(v.AppendOZJSON(nil)) }

// AppendJSONString appends s quoted the way serde_json quotes it (what
// OpenZeppelin Monitor's JSON shows): '"' and '\\' escaped, control
// characters as \b \f \n \r \t or \u00XX, everything else raw (no HTML
// escaping of <, >, &).
func AppendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
