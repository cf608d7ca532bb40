package notify

import (
	"sort"
	"strconv"
	"strings"
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
		idx  int
		sig  string
		args []string // "name" sorted, looked up again when writing
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
			r = &reason{idx: idx}
			byIdx[idx] = r
		}
		switch {
		case field == "signature":
			r.sig = v
		case strings.HasPrefix(field, "args."):
			r.args = append(r.args, field[len("args."):])
		}
	}
	reasons := make([]*reason, 0, len(byIdx))
	for _, r := range byIdx {
		if _, ok := vars[p+strconv.Itoa(r.idx)+".signature"]; ok {
			reasons = append(reasons, r)
		}
	}
	if len(reasons) == 0 {
		return ""
	}
	sort.Slice(reasons, func(a, b int) bool { return reasons[a].idx < reasons[b].idx })

	var b strings.Builder
	b.WriteString("\n\n*Matched ")
	b.WriteString(label)
	b.WriteString(":*\n")
	for n, r := range reasons {
		if n > 0 {
			b.WriteString("\n")
		}
		b.WriteString("\n*Reason ")
		b.WriteString(strconv.Itoa(n + 1))
		b.WriteString("*\n\n*Signature:* `")
		b.WriteString(r.sig)
		b.WriteString("`\n\n*Params:*\n")
		sort.Strings(r.args)
		argPrefix := p + strconv.Itoa(r.idx) + ".args."
		for _, name := range r.args {
			b.WriteString("\n")
			b.WriteString(name)
			b.WriteString(": `")
			b.WriteString(vars[argPrefix+name])
			b.WriteString("`")
		}
	}
	return b.String()
}
