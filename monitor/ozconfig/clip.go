package ozconfig

import (
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/internal/textcut"
)

// maxQuoted is how many bytes of a tenant's value an error message
// repeats. A name, key or value can be megabytes long; an error quoting it
// whole would be as large, and copied into every log line and response
// that carries it.
const maxQuoted = 200

// maxMessage bounds a whole ValidationError field, a last guard for values
// that reach a message other than through Clip.
const maxMessage = 4 << 10

// Clip returns s when it is at most maxQuoted bytes, otherwise its first
// maxQuoted bytes (never splitting a character) followed by "…(N bytes)".
func Clip(s string) string {
	return clipTo(s, maxQuoted)
}

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return textcut.Prefix(s, n) + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// clipArgs clips each string argument that format quotes (%q): that is
// how a tenant's value enters a message, while the %s arguments are text
// composed here (lists of allowed fields, limits) and stay whole.
func clipArgs(format string, args []any) []any {
	arg := 0
	for i := 0; i < len(format) && arg < len(args); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) || format[i] == '%' {
			continue
		}
		if s, ok := args[arg].(string); ok && format[i] == 'q' && len(s) > maxQuoted {
			args[arg] = Clip(s)
		}
		arg++
	}
	return args
}
