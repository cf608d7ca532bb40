package notify

import (
	"strings"
	"unicode/utf8"

	"github.com/ozmon/ozmon/internal/textcut"
)

// redactedValue replaces a match's argument values in the details of a channel whose
// trigger sets redact_details.
const redactedValue = "[REDACTED]"

// matchDetails are the match's template variables as an incident's details (PagerDuty's
// custom_details.match, Opsgenie's details): what an on-call engineer reads before opening
// an explorer. With redact, the values of call and event arguments and the two summary
// blocks, which repeat them, become "[REDACTED]"; the keys, signatures, monitor and
// transaction stay, so the alert still says what matched and where.
func matchDetails(vars map[string]string, redact bool) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		if redact && isArgumentVar(k) {
			v = redactedValue
		}
		out[k] = v
	}
	return out
}

// isArgumentVar reports whether a template variable holds argument values:
// functions.<i>.args.*, events.<i>.args.*, or the ${functions} / ${events} summaries.
func isArgumentVar(k string) bool {
	if k == "functions" || k == "events" {
		return true
	}
	rest, ok := strings.CutPrefix(k, "functions.")
	if !ok {
		rest, ok = strings.CutPrefix(k, "events.")
	}
	if !ok {
		return false
	}
	_, after, found := strings.Cut(rest, ".")
	return found && strings.HasPrefix(after, "args")
}

// cutRunes keeps at most n characters of s (Opsgenie counts characters, not bytes).
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// cutBytes keeps at most n bytes of s, on a character boundary.
func cutBytes(s string, n int) string { return textcut.Prefix(s, n) }

// renderOr renders tmpl with vars, or returns def for an empty template.
func renderOr(tmpl, def string, vars map[string]string) string {
	if tmpl == "" {
		return def
	}
	return render(tmpl, vars)
}

// renderEnum renders tmpl and keeps the result if it is one of values; otherwise (a template
// rendering to something else, or no template) it is def: an alert with the wrong severity
// beats an alert refused by the vendor.
func renderEnum(tmpl, def string, vars map[string]string, values ...string) string {
	v := strings.TrimSpace(render(tmpl, vars))
	for _, ok := range values {
		if v == ok {
			return v
		}
	}
	return def
}
