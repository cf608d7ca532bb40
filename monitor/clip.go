package monitor

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuoted is how many bytes of a tenant's value an error message
// repeats. A name, key or value can be megabytes long; an error quoting it
// whole would be as large, and copied into every log line and response
// that carries it.
const MaxQuoted = 200

// maxMessage bounds a whole ValidationError field, a last guard for values
// that reach a message other than through Clip.
const maxMessage = 4 << 10

// Clip returns s when it is at most MaxQuoted bytes, otherwise its first
// MaxQuoted bytes (never splitting a character) followed by "…(N bytes)".
func Clip(s string) string {
	return clipTo(s, MaxQuoted)
}

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// clipArgs clips every string argument of a message, which is where a
// tenant's values enter one.
func clipArgs(args []any) []any {
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > MaxQuoted {
			args[i] = Clip(s)
		}
	}
	return args
}
