package jsonrpc

import (
	"bytes"
	"math"
	"strings"
)

// Scanner reads a complete JSON text strictly and without allocating, for
// a chain package that parses one big, regular answer by hand (Stellar's
// getLedgers: megabytes of base64 per ledger) rather than through
// encoding/json's general scanner, unquoting and copying.
//
// Its contract is one-sided: every method reports false on anything it
// does not read exactly as encoding/json would, and the caller then
// decodes the whole body with encoding/json instead (Call.Parse). So it
// refuses some valid JSON (nulls, escapes in keys and in the strings it
// hands back, keys that only fold to a known one, duplicate known keys,
// numbers with a fraction or exponent, deep nesting), but it must never
// accept what encoding/json rejects or read a value differently.
type Scanner struct {
	data  []byte
	pos   int
	depth int
}

// maxSkipDepth bounds Skip's recursion; deeper values go to encoding/json
// (whose own limit is 10000).
const maxSkipDepth = 512

// NewScanner returns a scanner at the start of data.
func NewScanner(data []byte) *Scanner { return &Scanner{data: data} }

// ws skips JSON whitespace.
func (s *Scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// eat consumes c after whitespace, if it is next.
func (s *Scanner) eat(c byte) bool {
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// Object reads an object. For each member whose key is keys[i], member(i)
// must read the value; other members are skipped. It refuses a key that
// encoding/json would match to one of keys without being it (other case,
// Unicode folding, escapes) and a repeated key of interest, whose
// handling is encoding/json's business. keys has at most 64 entries.
func (s *Scanner) Object(keys []string, member func(i int) bool) bool {
	if len(keys) > 64 || !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	var seen uint64
	for {
		s.ws()
		key, ok := s.plainString()
		if !ok || !s.eat(':') {
			return false
		}
		switch i := matchKey(key, keys); {
		case i == -2:
			return false
		case i == -1:
			if !s.Skip() {
				return false
			}
		default:
			if seen&(1<<i) != 0 {
				return false
			}
			seen |= 1 << i
			if !member(i) {
				return false
			}
		}
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}

// matchKey returns the index of key in keys, -1 for a key encoding/json
// would not match to any of them, and -2 for one it might (ASCII case
// folding; any non-ASCII byte, as it also folds a few Unicode letters
// such as U+017F to ASCII).
func matchKey(key []byte, keys []string) int {
	for i, k := range keys {
		if string(key) == k {
			return i
		}
	}
	for _, c := range key {
		if c >= 0x80 {
			return -2
		}
	}
	for _, k := range keys {
		if len(k) == len(key) && strings.EqualFold(string(key), k) {
			return -2
		}
	}
	return -1
}

// Array reads an array, calling elem to read each element.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.eat('[') {
		return false
	}
	if s.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat(']')
	}
}

// plainString reads a string free of escapes and control characters and
// returns its bytes, which are then exactly its value.
func (s *Scanner) plainString() ([]byte, bool) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false
	}
	start := s.pos + 1
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return s.data[start:i], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// PlainString reads a string that has no escapes and no control
// characters; its bytes are its value (possibly invalid UTF-8, which
// encoding/json would replace: a caller keeping them must check them).
func (s *Scanner) PlainString() ([]byte, bool) {
	s.ws()
	return s.plainString()
}

// StringSpan reads a string up to the next quote without looking at its
// bytes, which is as fast as the body can be searched. The caller must
// refuse a span holding a backslash or a control character, as then it is
// not the string's value, and the string may even go on past an escaped
// quote. A base64 decoder refuses both, except CR and LF, which it skips:
// check the decoded length.
func (s *Scanner) StringSpan() ([]byte, bool) {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false
	}
	start := s.pos + 1
	n := bytes.IndexByte(s.data[start:], '"')
	if n < 0 {
		return nil, false
	}
	s.pos = start + n + 1
	return s.data[start : start+n], true
}

// SkipString reads any valid string, escapes included, for a string
// field whose value is not needed.
func (s *Scanner) SkipString() bool {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return false
	}
	for i := s.pos + 1; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			i++
			if i >= len(s.data) {
				return false
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) {
					return false
				}
				for _, h := range s.data[i+1 : i+5] {
					if !isHex(h) {
						return false
					}
				}
				i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Uint32 reads a number that is a plain non-negative integer fitting a
// uint32 (what encoding/json stores into a uint32 without error).
func (s *Scanner) Uint32() (uint32, bool) {
	s.ws()
	v, ok := s.digits(math.MaxUint32)
	return uint32(v), ok && s.numberEnds()
}

// Int64 reads a number that is a plain integer fitting an int64.
func (s *Scanner) Int64() (int64, bool) {
	s.ws()
	v, ok := s.int64()
	return v, ok && s.numberEnds()
}

// QuotedInt64 reads an int64 written as a string, as encoding/json's
// ",string" option reads it: "123", with no spaces inside the quotes.
func (s *Scanner) QuotedInt64() (int64, bool) {
	if !s.eat('"') {
		return 0, false
	}
	v, ok := s.int64()
	if !ok || s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return 0, false
	}
	s.pos++
	return v, true
}

func (s *Scanner) int64() (int64, bool) {
	neg := s.pos < len(s.data) && s.data[s.pos] == '-'
	if neg {
		s.pos++
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	v, ok := s.digits(limit)
	if !ok {
		return 0, false
	}
	if neg {
		return int64(-v), true // -v wraps to MinInt64 for v = 1<<63, as wanted
	}
	return int64(v), true
}

// digits reads an unsigned JSON integer (no leading zeros) up to limit.
func (s *Scanner) digits(limit uint64) (uint64, bool) {
	start := s.pos
	var v uint64
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c < '0' || c > '9' {
			break
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
		s.pos++
	}
	n := s.pos - start
	if n == 0 || n > 1 && s.data[start] == '0' {
		return 0, false
	}
	return v, true
}

// numberEnds reports whether the integer just read is the whole number
// (no fraction or exponent follows, which encoding/json would refuse for
// an integer field).
func (s *Scanner) numberEnds() bool {
	if s.pos >= len(s.data) {
		return true
	}
	switch s.data[s.pos] {
	case '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return false
	}
	return true
}

// Skip reads any one valid JSON value.
func (s *Scanner) Skip() bool {
	s.ws()
	if s.pos >= len(s.data) {
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{' || c == '[':
		if s.depth >= maxSkipDepth {
			return false
		}
		s.depth++
		ok := s.skipContainer(c)
		s.depth--
		return ok
	case c == '"':
		return s.SkipString()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.skipNumber()
	}
	return false
}

// skipContainer reads an object (open is '{') or array; any key will do,
// repeated or not, as its value is not kept.
func (s *Scanner) skipContainer(open byte) bool {
	end := byte(']')
	if open == '{' {
		end = '}'
	}
	s.pos++
	if s.eat(end) {
		return true
	}
	for {
		if open == '{' && (!s.SkipString() || !s.eat(':')) {
			return false
		}
		if !s.Skip() {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat(end)
	}
}

func (s *Scanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return false
	}
	s.pos += len(lit)
	return true
}

// skipNumber reads a number by JSON's grammar:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (s *Scanner) skipNumber() bool {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	start := s.pos
	s.skipDigits()
	if n := s.pos - start; n == 0 || n > 1 && s.data[start] == '0' {
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.skipDigits() == 0 {
			return false
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.skipDigits() == 0 {
			return false
		}
	}
	return true
}

func (s *Scanner) skipDigits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// ScanResult reads a JSON-RPC response body, calling result to read the
// value of its "result" member. It reports false, leaving the body to
// encoding/json, for an "error" member (even null), a missing result, or
// anything the scanner refuses. Like json.Decoder, it ignores what follows
// the response object.
func ScanResult(body []byte, result func(*Scanner) bool) bool {
	s := NewScanner(body)
	found := false
	ok := s.Object([]string{"result", "error"}, func(i int) bool {
		if i != 0 {
			return false
		}
		found = true
		return result(s)
	})
	return ok && found
}
