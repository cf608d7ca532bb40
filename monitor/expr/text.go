package expr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ozmon/ozmon/internal/textcut"
)

// OpenZeppelin Monitor lowercases with Rust's str::to_lowercase (full
// Unicode, context-sensitive final sigma, 'İ' → "i̇") and trims with Rust's
// char::is_whitespace. The helpers below reproduce those, with ASCII fast
// paths that do not allocate.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// isSpaceByte is Rust's char::is_whitespace restricted to ASCII.
func isSpaceByte(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// rustLower is Rust's str::to_lowercase.
func rustLower(s string) string {
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			if 'A' <= s[i] && s[i] <= 'Z' {
				b := []byte(s)
				for j := i; j < len(b); j++ {
					b[j] = lowerByte(b[j])
				}
				return string(b)
			}
		}
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i, r := range s {
		switch r {
		case 'Σ':
			if finalSigma(s, i) {
				sb.WriteRune('ς')
			} else {
				sb.WriteRune('σ')
			}
		case 'İ':
			sb.WriteString("i\u0307")
		default:
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// finalSigma applies Unicode's Final_Sigma condition to the 'Σ' at byte i:
// preceded by a cased letter and not followed by one (case-ignorable
// characters skipped on both sides).
func finalSigma(s string, i int) bool {
	before := s[:i]
	for len(before) > 0 {
		r, n := utf8.DecodeLastRuneInString(before)
		before = before[:len(before)-n]
		if caseIgnorable(r) {
			continue
		}
		if !cased(r) {
			return false
		}
		goto after
	}
	return false
after:
	for _, r := range s[i+len("Σ"):] {
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xB7, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// normalizeAddress is OpenZeppelin Monitor's Stellar address normalization:
// every whitespace character removed, then lowercased.
func normalizeAddress(s string) string {
	if isASCII(s) {
		var b []byte
		for i := 0; i < len(s); i++ {
			c := s[i]
			if isSpaceByte(c) || ('A' <= c && c <= 'Z') {
				if b == nil {
					b = make([]byte, 0, len(s))
					b = append(b, s[:i]...)
				}
			}
			if b != nil && !isSpaceByte(c) {
				b = append(b, lowerByte(c))
			}
		}
		if b == nil {
			return s
		}
		return string(b)
	}
	return rustLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// rustTrim is Rust's str::trim (Unicode White_Space on both ends).
func rustTrim(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// equalLower reports whether rustLower(s) == low, in one pass and without
// allocating while s is ASCII. A mismatch in an ASCII prefix is final:
// lowercasing later characters never changes earlier ones.
func equalLower(s, low string) bool {
	if len(s) > len(low) && isASCII(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return rustLower(s) == low
		}
		if i >= len(low) || lowerByte(c) != low[i] {
			return false
		}
	}
	return len(s) == len(low)
}

// equalAddress reports whether normalizeAddress(s) == norm, in one pass and
// without allocating while s is ASCII.
func equalAddress(s, norm string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return normalizeAddress(s) == norm
		}
		if c <= ' ' && isSpaceByte(c) {
			continue
		}
		if j >= len(norm) || lowerByte(c) != norm[j] {
			return false
		}
		j++
	}
	return j == len(norm)
}

// foldHasPrefix etc. compare rustLower(s) against an already lowercased
// pattern; ASCII s never allocates.
func foldHasPrefix(s, low string) bool {
	if !isASCII(s) {
		return strings.HasPrefix(rustLower(s), low)
	}
	return len(s) >= len(low) && equalLower(s[:len(low)], low)
}

func foldHasSuffix(s, low string) bool {
	if !isASCII(s) {
		return strings.HasSuffix(rustLower(s), low)
	}
	return len(s) >= len(low) && equalLower(s[len(s)-len(low):], low)
}

func foldContains(s, low string) bool {
	if !isASCII(s) {
		return strings.Contains(rustLower(s), low)
	}
	for i := 0; i+len(low) <= len(s); i++ {
		if equalLower(s[i:i+len(low)], low) {
			return true
		}
	}
	return false
}

// equalFoldASCII is Rust's str::eq_ignore_ascii_case: only ASCII letters fold.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

// maxQuoted bounds how much of a token, value or kind an error message
// repeats: enough to recognize a 256-bit number, an address or a hash, never
// the megabytes a hostile expression or RPC answer can hold.
const maxQuoted = 96

// quoteCut is strconv.Quote of at most maxQuoted bytes of s, cut at a rune
// boundary, followed by s's full length when it was cut.
func quoteCut(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(textcut.Prefix(s, maxQuoted)) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
