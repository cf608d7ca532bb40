package expr

import "unicode/utf8"

// The language's tokenization depends on context (an operator keyword is
// matched as a prefix, AND/OR need no word boundary, a value is tried as
// quoted → bool → hex → number → bare word), so the scanner is a set of
// position-based helpers the parser calls where each token may occur.

type scanner struct {
	src string
	pos int
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// skipWS skips spaces and tabs: the only whitespace the grammar knows.
func (s *scanner) skipWS() {
	for s.pos < len(s.src) && (s.src[s.pos] == ' ' || s.src[s.pos] == '\t') {
		s.pos++
	}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isBareChar(c byte) bool   { return isIdentChar(c) || c == '-' }
func isHexDigit(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// hasPrefixFold reports whether src[pos:] starts with the ASCII keyword kw,
// case-insensitively.
func (s *scanner) hasPrefixFold(kw string) bool {
	if len(s.src)-s.pos < len(kw) {
		return false
	}
	for i := 0; i < len(kw); i++ {
		if lowerByte(s.src[s.pos+i]) != kw[i] {
			return false
		}
	}
	return true
}

// literalEnd reports whether a bool/hex/number literal may end at pos:
// whitespace, end of input or a delimiter must follow.
func (s *scanner) literalEnd(pos int) bool {
	if pos >= len(s.src) {
		return true
	}
	switch s.src[pos] {
	case ' ', '\t', ')', '(', ',', '=', '!', '>', '<', '&', '|', ']':
		return true
	}
	return false
}

// keyEnd reports whether a ".key" accessor may end at pos.
func (s *scanner) keyEnd(pos int) bool {
	if pos >= len(s.src) {
		return true
	}
	switch s.src[pos] {
	case ' ', '\t', '[', '.', '=', '!', '>', '<', '(', ')':
		return true
	}
	return false
}

// digitsBaseEnd reports whether a purely numeric base name (`0 == …`) may
// end at pos: "[", ".", whitespace, end of input or a comparison operator.
func (s *scanner) digitsBaseEnd(pos int) bool {
	if pos >= len(s.src) {
		return true
	}
	switch s.src[pos] {
	case '[', '.', ' ', '\t', '>', '<':
		return true
	case '=', '!':
		return pos+1 < len(s.src) && s.src[pos+1] == '='
	}
	return false
}

func (s *scanner) scanWhile(pos int, f func(byte) bool) int {
	for pos < len(s.src) && f(s.src[pos]) {
		pos++
	}
	return pos
}

// column converts a byte offset into a 1-based character column.
func (s *scanner) column(pos int) int {
	if pos > len(s.src) {
		pos = len(s.src)
	}
	return utf8.RuneCountInString(s.src[:pos]) + 1
}

// tokenAt renders the token starting at pos for an error message: a word,
// a run of operator characters, or a single character.
func (s *scanner) tokenAt(pos int) string {
	if pos >= len(s.src) {
		return ""
	}
	c := s.src[pos]
	end := pos + 1
	switch {
	case isBareChar(c):
		end = s.scanWhile(pos, isBareChar)
	case c == '=' || c == '!' || c == '<' || c == '>':
		end = s.scanWhile(pos, func(c byte) bool { return c == '=' || c == '!' || c == '<' || c == '>' })
	case c >= utf8.RuneSelf:
		_, n := utf8.DecodeRuneInString(s.src[pos:])
		end = pos + n
	}
	return s.src[pos:end]
}

// errUnexpected reports the token (or end of input) at pos.
func (s *scanner) errUnexpected(pos int) *SyntaxError {
	if pos >= len(s.src) {
		return &SyntaxError{Column: s.column(pos), Msg: "unexpected end of input"}
	}
	return &SyntaxError{Column: s.column(pos), Msg: "unexpected token " + quoteCut(s.tokenAt(pos))}
}

func (s *scanner) errAt(pos int, msg string) *SyntaxError {
	return &SyntaxError{Column: s.column(pos), Msg: msg}
}
