// Package textcut cuts text to a byte budget without splitting a
// character: the one rule behind every bounded error, log line and stored
// message that quotes tenant or node input.
package textcut

import "unicode/utf8"

// Prefix returns at most n bytes of s, ending on a character boundary.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
