package expr

import (
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// intVal is an exact integer parsed the way Rust's integer FromStr does:
// an optional '+' or '-', then one or more ASCII digits, nothing else.
// Magnitudes up to 2^64-1 live in mag without allocating; larger ones in big.
type intVal struct {
	minus bool     // the text had a leading '-' (Rust rejects it for unsigned types, even "-0")
	huge  bool     // more than 80 significant digits: out of range for every width
	mag   uint64   // magnitude when big == nil
	big   *big.Int // magnitude when it exceeds uint64
}

// parseInt parses s as Rust's str::parse::<iN/uN>() would before the range
// check; ok is false on any syntax error.
func parseInt(s string) (v intVal, ok bool) {
	if s == "" {
		return v, false
	}
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		v.minus = true
		s = s[1:]
	}
	if s == "" {
		return v, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return v, false
		}
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	switch {
	case len(s) > 80: // ≥ 10^80 > 2^256: out of range for every width, never materialized
		v.huge = true
	case len(s) <= 19:
		for i := 0; i < len(s); i++ {
			v.mag = v.mag*10 + uint64(s[i]-'0')
		}
	default:
		if m, err := strconv.ParseUint(s, 10, 64); err == nil {
			v.mag = m
		} else {
			v.big, _ = new(big.Int).SetString(s, 10)
		}
	}
	return v, true
}

// isZero reports whether the magnitude is 0.
func (v intVal) isZero() bool { return !v.huge && v.big == nil && v.mag == 0 }

// negative reports whether the value is < 0 (-0 is not).
func (v intVal) negative() bool { return v.minus && !v.isZero() }

// magBitLen is the bit length of the magnitude.
func (v intVal) magBitLen() int {
	switch {
	case v.huge:
		return 1 << 30
	case v.big != nil:
		return v.big.BitLen()
	}
	return bits.Len64(v.mag)
}

// fits reports whether v is in range of a Rust integer of the given width.
func (v intVal) fits(bits int, signed bool) bool {
	if !signed {
		return !v.minus && v.magBitLen() <= bits
	}
	n := v.magBitLen()
	if n < bits {
		return true // magnitude ≤ 2^(bits-1)-1
	}
	// Only -2^(bits-1) itself remains: magnitude exactly 2^(bits-1).
	if !v.minus || n != bits {
		return false
	}
	if v.big != nil {
		return v.big.TrailingZeroBits() == uint(bits-1)
	}
	return v.mag == 1<<(bits-1)
}

// cmpMag compares magnitudes.
func cmpMag(a, b intVal) int {
	if a.big == nil && b.big == nil {
		switch {
		case a.mag < b.mag:
			return -1
		case a.mag > b.mag:
			return 1
		}
		return 0
	}
	return a.bigMag().Cmp(b.bigMag())
}

func (v intVal) bigMag() *big.Int {
	if v.big != nil {
		return v.big
	}
	return new(big.Int).SetUint64(v.mag)
}

// cmpInt compares two in-range (non-huge) values.
func cmpInt(a, b intVal) int {
	an, bn := a.negative(), b.negative()
	switch {
	case an && !bn:
		return -1
	case !an && bn:
		return 1
	case an && bn:
		return -cmpMag(a, b)
	}
	return cmpMag(a, b)
}

// applyOrdering evaluates an ordering operator on a three-way comparison.
func applyOrdering(op operator, c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opGt:
		return c > 0
	case opGte:
		return c >= 0
	case opLt:
		return c < 0
	case opLte:
		return c <= 0
	}
	return false
}

func uitoa(n uint64) string { return strconv.FormatUint(n, 10) }

// parseRuint is ruint's Uint::from_str_radix for radix 2, 8, 10 or 16,
// which U256 and I256 parsing rest on: '_' anywhere is skipped, every other
// character must be a digit of the radix, and no digits at all is 0.
func parseRuint(s string, radix int) (v intVal, ok bool) {
	underscores := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '_':
			underscores = true
		case digitVal(s[i]) >= radix:
			return v, false // most texts that are not integers fail here, on their first byte
		}
	}
	if underscores {
		s = strings.ReplaceAll(s, "_", "")
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	switch {
	case s == "":
	case len(s) > 256: // ≥ 2^256 in any radix: out of range, never materialized
		v.huge = true
	default:
		if m, err := strconv.ParseUint(s, radix, 64); err == nil {
			v.mag = m
		} else {
			v.big, _ = new(big.Int).SetString(s, radix)
		}
	}
	return v, true
}

// parseRuintPrefixed is ruint's Uint::from_str: a 0x, 0o or 0b prefix (any
// case) selects the radix, otherwise decimal.
func parseRuintPrefixed(s string) (intVal, bool) {
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			return parseRuint(s[2:], 16)
		case 'o', 'O':
			return parseRuint(s[2:], 8)
		case 'b', 'B':
			return parseRuint(s[2:], 2)
		}
	}
	return parseRuint(s, 10)
}

// digitVal is a character's digit value in radixes up to 36 (letters of
// either case count from 10), or 36 for anything else.
func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return 36
}

// twosComplement256 reinterprets a 256-bit magnitude as a signed I256
// (I256::from_raw): values ≥ 2^255 are negative.
func twosComplement256(v intVal) intVal {
	if v.magBitLen() < 256 {
		return v
	}
	m := new(big.Int).Lsh(big.NewInt(1), 256)
	m.Sub(m, v.bigMag())
	out := intVal{minus: true}
	if m.IsUint64() {
		out.mag = m.Uint64()
	} else {
		out.big = m
	}
	return out
}
