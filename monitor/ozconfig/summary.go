package ozconfig

import (
	"slices"
	"strconv"
	"strings"
)

// Summary renders the ${functions} / ${events} block a trigger's message
// expands to, in OpenZeppelin Monitor's layout, titled "Matched <label>:":
// one "Reason" per signature, numbered from 1, with params[i] (the
// parameters of sigs[i], by name) sorted by name; "" when sigs is empty.
// It sits with the trigger model because both ends need it: the engine
// fills the variable and notify rebuilds it from the numbered keys.
func Summary(label string, sigs []string, params []map[string]string) string {
	if len(sigs) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n\n*Matched ")
	sb.WriteString(label)
	sb.WriteString(":*\n")
	for i, sig := range sigs {
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString("\n*Reason ")
		sb.WriteString(strconv.Itoa(i + 1))
		sb.WriteString("*\n")
		sb.WriteString("\n*Signature:* `")
		sb.WriteString(sig)
		sb.WriteString("`\n")
		sb.WriteString("\n*Params:*\n")
		if i >= len(params) {
			continue
		}
		names := make([]string, 0, len(params[i]))
		for n := range params[i] {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			sb.WriteString("\n")
			sb.WriteString(n)
			sb.WriteString(": `")
			sb.WriteString(params[i][n])
			sb.WriteString("`")
		}
	}
	return sb.String()
}
