package ozconfig

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkText refuses what a JSON parser lets through but PostgreSQL's jsonb
// (where imported configurations are stored) does not: invalid UTF-8, the
// escape \u0000 and a \u escape of half a surrogate pair. data must be
// well-formed JSON. Checking here lets `validate` refuse what `import`
// would, with the line and column of the first offence.
func (r *cfgReader) checkText(data []byte) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			c, size := utf8.DecodeRune(data[off:])
			if c == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := lineCol(data, int64(off))
		r.fail("", "invalid UTF-8 at line %d, column %d (text must be UTF-8)", line, col)
		return
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			i++ // the escaped character; a \" does not end the string
			if data[i] != 'u' {
				continue
			}
			msg, n := badEscape(data[i+1:])
			if msg != "" {
				line, col := lineCol(data, int64(i-1))
				r.fail("", "%s at line %d, column %d", msg, line, col)
				return
			}
			i += n
		}
	}
}

// badEscape reads the four hex digits after a \u (and the low half that
// must follow a high surrogate) and says what is wrong with them, if
// anything; n is how many bytes it read.
func badEscape(rest []byte) (msg string, n int) {
	v, ok := hex4(rest)
	if !ok {
		return "", 0 // the JSON parser has already refused it
	}
	switch {
	case v == 0:
		return `the escape \u0000 (a NUL character) is not allowed`, 4
	case v >= 0xDC00 && v <= 0xDFFF:
		return fmt.Sprintf(`the escape \u%04x is half a surrogate pair and not a character`, v), 4
	case v >= 0xD800 && v <= 0xDBFF:
		if len(rest) >= 10 && rest[4] == '\\' && rest[5] == 'u' {
			if lo, ok := hex4(rest[6:]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				return "", 10
			}
		}
		return fmt.Sprintf(`the escape \u%04x is half a surrogate pair and not a character`, v), 4
	}
	return "", 4
}

func hex4(b []byte) (uint64, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return v, err == nil
}

// hasControl reports whether s holds an ASCII control character. A URL or
// header with a raw CR or LF is refused by the HTTP client at every send,
// and could split a request, so it is refused when read instead.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f }) >= 0
}

// validHeaderName accepts an HTTP field name: a non-empty token (RFC 9110
// §5.1).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue accepts an HTTP field value: no control character but
// tab (RFC 9110 §5.5).
func validHeaderValue(s string) bool {
	return strings.IndexFunc(s, func(c rune) bool { return (c < 0x20 && c != '\t') || c == 0x7f }) < 0
}
