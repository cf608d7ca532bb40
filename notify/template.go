package notify

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Render substitutes ${key} placeholders in tmpl with vars, following OpenZeppelin Monitor's
// rules: keys are exact and case-sensitive, unknown placeholders stay as written, and
// ${functions} / ${events} become the "Matched Functions/Events" summary blocks. A summary is
// taken from vars["functions"] (or vars["events"]) when the caller supplies it, and otherwise
// built from the functions.<i>.signature and functions.<i>.args.<name> keys (empty when there
// are none).
//
// The template is scanned once, so a substituted value is never itself expanded: a value that
// contains "${...}" reaches the output as written, which keeps user data from being
// re-interpreted.
func Render(tmpl string, vars map[string]string) string {
	return RenderEscaped(tmpl, vars, nil)
}

// RenderEscaped is Render with every substituted value (summaries included) passed through
// escape, while the template's own text is kept as written: the tenant's markup stays markup,
// and on-chain text in a value cannot add mentions or links of its own. A nil escape is
// Render.
func RenderEscaped(tmpl string, vars map[string]string, escape func(string) string) string {
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
		if v, ok := lookupVar(vars, key); ok {
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

func lookupVar(vars map[string]string, key string) (string, bool) {
	if v, ok := vars[key]; ok {
		return v, true
	}
	switch key {
	case "functions":
		return Summary(vars, "functions", "Functions"), true
	case "events":
		return Summary(vars, "events", "Events"), true
	}
	return "", false
}

// Summary builds OpenZeppelin Monitor's summary block for the variables under prefix
// ("functions" or "events"), titled "Matched <label>:". It returns "" when vars has no
// <prefix>.<i>.signature key. Reasons are numbered from 1 in ascending index order and their
// parameters are sorted by name.
func Summary(vars map[string]string, prefix, label string) string {
	type reason struct {
		idx    int
		sig    string
		hasSig bool
		params map[string]string
	}
	p := prefix + "."
	byIdx := map[int]*reason{}
	for k, v := range vars {
		if !strings.HasPrefix(k, p) {
			continue
		}
		rest := k[len(p):]
		dot := strings.IndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		idx, err := strconv.Atoi(rest[:dot])
		if err != nil || idx < 0 {
			continue
		}
		field := rest[dot+1:]
		r := byIdx[idx]
		if r == nil {
			r = &reason{idx: idx, params: map[string]string{}}
			byIdx[idx] = r
		}
		switch {
		case field == "signature":
			r.hasSig, r.sig = true, v
		case strings.HasPrefix(field, "args."):
			r.params[field[len("args."):]] = v
		}
	}
	reasons := make([]*reason, 0, len(byIdx))
	for _, r := range byIdx {
		if r.hasSig {
			reasons = append(reasons, r)
		}
	}
	sort.Slice(reasons, func(a, b int) bool { return reasons[a].idx < reasons[b].idx })
	sigs := make([]string, len(reasons))
	params := make([]map[string]string, len(reasons))
	for i, r := range reasons {
		sigs[i], params[i] = r.sig, r.params
	}
	return ozconfig.Summary(label, sigs, params)
}
