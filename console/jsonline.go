package console

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// lineOf is the line of text (1-based) where the value at a JSON path
// (`match_conditions.functions[0].expression`, as validation names it)
// begins; for a path not in text, the line of its longest present prefix.
func lineOf(text, path string) int {
	type frame struct {
		arr     bool
		idx     int
		key     string
		wantKey bool
	}
	var stack []frame
	cur := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.arr {
				b.WriteString("[" + strconv.Itoa(f.idx) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	best, bestLen := 0, -1
	record := func(p string, at int) {
		exact := p == path
		prefix := strings.HasPrefix(path, p) && len(path) > len(p) && (path[len(p)] == '.' || path[len(p)] == '[')
		if (exact || prefix) && len(p) > bestLen {
			best, bestLen = at, len(p)
		}
	}
	done := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].arr {
				stack[n-1].idx++
			} else {
				stack[n-1].wantKey = true
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	for {
		start := skipSpace(text, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			break
		}
		d, isDelim := tok.(json.Delim)
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if isDelim && (d == '}' || d == ']') {
				stack = stack[:n-1]
				done()
				continue
			}
			if !top.arr && top.wantKey {
				top.key, _ = tok.(string)
				top.wantKey = false
				record(cur(), start)
				continue
			}
			if top.arr {
				record(cur(), start)
			}
		}
		switch {
		case isDelim && d == '{':
			stack = append(stack, frame{wantKey: true})
		case isDelim && d == '[':
			stack = append(stack, frame{arr: true})
		default:
			done()
		}
	}
	return 1 + strings.Count(text[:min(best, len(text))], "\n")
}

func skipSpace(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n,:", s[i]) >= 0 {
		i++
	}
	return i
}

// syntaxLine is the line of a JSON syntax error in text, 0 when err is
// not one.
func syntaxLine(text string, err error) int {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return 0
	}
	return 1 + strings.Count(text[:min(int(se.Offset), len(text))], "\n")
}

// pathInMessage finds the JSON path a validation message names: the
// messages read "[prefix: ]source: path: what is wrong".
var pathRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])*$`)

func pathInMessage(msg string) (path, rest string) {
	parts := strings.Split(msg, ": ")
	for i := 0; i < len(parts)-1; i++ {
		switch p := parts[i]; {
		case p == "testMonitor" || p == "monitor" || p == "createMonitor" || p == "replaceMonitor" || strings.HasSuffix(p, ".json"):
			continue
		case pathRE.MatchString(p):
			return p, strings.Join(parts[i+1:], ": ")
		}
		break
	}
	return "", msg
}
