package testkit

import "strings"

// LongExpression is a valid filter expression of at least n bytes that
// holds whenever "variable >= 0" does: a tenant's oversized expression
// for tests of what must not grow with it.
func LongExpression(variable string, n int) string {
	var b strings.Builder
	b.WriteString(variable + " >= 0")
	for b.Len() < n {
		b.WriteString(" OR " + variable + " == 12345678901234567890")
	}
	return b.String()
}
