package notify

import "strings"

// render substitutes ${key} placeholders in tmpl with vars, following OpenZeppelin Monitor's
// rules: keys are exact and case-sensitive and unknown placeholders stay as written.
// ${functions} and ${events}, the "Matched Functions/Events" summary blocks, are plain keys:
// monitor.Match.Variables, the only source of a notification's vars, always sets both.
//
// The template is scanned once, so a substituted value is never itself expanded: a value that
// contains "${...}" reaches the output as written, which keeps user data from being
// re-interpreted.
func render(tmpl string, vars map[string]string) string {
	return renderEscaped(tmpl, vars, nil)
}

// renderEscaped is render with every substituted value (summaries included) passed through
// escape, while the template's own text is kept as written: the tenant's markup stays markup,
// and on-chain text in a value cannot add mentions or links of its own. A nil escape is
// render.
func renderEscaped(tmpl string, vars map[string]string, escape func(string) string) string {
	i := strings.Index(tmpl, "${")
	if i < 0 {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl) + 64)
	for i >= 0 {
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			// No closing brace: nothing more can be substituted.
			b.WriteString(tmpl[i:])
			return b.String()
		}
		key := rest[:end]
		if v, ok := vars[key]; ok {
			if escape != nil {
				v = escape(v)
			}
			b.WriteString(v)
			tmpl = rest[end+1:]
		} else {
			// Leave "${" as written and rescan from the next byte, so that "${a${b}" still
			// substitutes ${b}.
			b.WriteString("${")
			tmpl = rest
		}
		i = strings.Index(tmpl, "${")
	}
	b.WriteString(tmpl)
	return b.String()
}
