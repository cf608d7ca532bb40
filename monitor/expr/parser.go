package expr

import (
	"strconv"
	"strings"
)

// SyntaxError is a parse failure: what was found and where (1-based
// character column).
type SyntaxError struct {
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return e.Msg + " at column " + strconv.Itoa(e.Column)
}

// maxDepth bounds parenthesis nesting so that no input can exhaust the
// stack; real monitors nest a handful of levels.
const maxDepth = 200

// Parse compiles src following OpenZeppelin Monitor 1.6's grammar exactly:
// conditions `lhs op literal` joined by AND (binding tighter) and OR, both
// case-insensitive, with parentheses; no NOT. An empty or blank expression
// is an error, as in OpenZeppelin Monitor. A value that starts like a
// number or 0x-hex but goes on with letters (`1INCH`, `0xVal`, `1e3`,
// `-0x10`) is an unquoted string, as there.
func Parse(src string) (*Expr, error) {
	p := parser{scanner: scanner{src: src}}
	p.skipWS()
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if !p.eof() {
		return nil, p.errUnexpected(p.pos)
	}
	return &Expr{src: src, root: root, vars: p.vars}, nil
}

type parser struct {
	scanner
	vars []string
}

// parseOr: and_expr ( ws "OR" ws and_expr )*. The keyword is matched as a
// prefix (`x == 1 ORDER == 2` is `x == 1 OR DER == 2`), as in the original.
func (p *parser) parseOr(depth int) (node, error) {
	return p.parseChain(depth, "or", nodeOr, p.parseAnd)
}

// parseAnd: term ( ws "AND" ws term )*.
func (p *parser) parseAnd(depth int) (node, error) {
	return p.parseChain(depth, "and", nodeAnd, p.parseTerm)
}

func (p *parser) parseChain(depth int, kw string, kind nodeKind, next func(int) (node, error)) (node, error) {
	first, err := next(depth)
	if err != nil {
		return node{}, err
	}
	var kids []node
	for {
		save := p.pos
		p.skipWS()
		if !p.hasPrefixFold(kw) {
			p.pos = save
			break
		}
		p.pos += len(kw)
		p.skipWS()
		n, err := next(depth)
		if err != nil {
			return node{}, err
		}
		if kids == nil {
			kids = []node{first}
		}
		kids = append(kids, n)
	}
	if kids == nil {
		return first, nil
	}
	return node{kind: kind, kids: kids}, nil
}

// parseTerm: ws ( "(" ws or_expr ws ")" | condition ) ws.
func (p *parser) parseTerm(depth int) (node, error) {
	p.skipWS()
	var n node
	if p.peek() == '(' && !p.eof() {
		if depth >= maxDepth {
			return node{}, p.errAt(p.pos, "expression nested too deeply")
		}
		p.pos++
		p.skipWS()
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return node{}, err
		}
		p.skipWS()
		if p.peek() != ')' || p.eof() {
			return node{}, p.errUnexpected(p.pos)
		}
		p.pos++
		n = inner
	} else {
		c, err := p.parseCondition()
		if err != nil {
			return node{}, err
		}
		n = node{kind: nodeCond, cond: c}
	}
	p.skipWS()
	return n, nil
}

// parseCondition: lhs ws operator ws value.
func (p *parser) parseCondition() (*condition, error) {
	c := &condition{}
	if err := p.parseLHS(c); err != nil {
		return nil, err
	}
	p.skipWS()
	if err := p.parseOperator(c); err != nil {
		return nil, err
	}
	p.skipWS()
	if err := p.parseValue(&c.lit); err != nil {
		return nil, err
	}
	c.notFound = notFound(c.name)
	return c, nil
}

var keywords = [...]string{"true", "false", "and", "or", "contains", "starts_with", "ends_with"}

func isKeyword(w string) bool {
	for _, k := range keywords {
		if len(w) == len(k) && equalFoldASCII(w, k) {
			return true
		}
	}
	return false
}

// parseLHS: base accessor*, base = IDENT (not a keyword) | DIGITS.
func (p *parser) parseLHS(c *condition) error {
	start := p.pos
	switch ch := p.peek(); {
	case p.eof():
		return p.errUnexpected(p.pos)
	case isIdentStart(ch):
		end := p.scanWhile(start, isIdentChar)
		if isKeyword(p.src[start:end]) {
			return p.errUnexpected(start)
		}
		p.pos = end
	case isDigit(ch):
		end := p.scanWhile(start, isDigit)
		if !p.digitsBaseEnd(end) {
			return p.errUnexpected(end)
		}
		p.pos = end
	default:
		return p.errUnexpected(start)
	}
	c.name = p.src[start:p.pos]
	p.addVar(c.name)
	for {
		switch p.peek() {
		case '[':
			if p.eof() {
				return nil
			}
			ds := p.pos + 1
			de := p.scanWhile(ds, isDigit)
			if de == ds {
				return p.errUnexpected(ds)
			}
			if de >= len(p.src) || p.src[de] != ']' {
				return p.errUnexpected(de)
			}
			idx, err := strconv.ParseUint(p.src[ds:de], 10, 64)
			if err != nil {
				return p.errAt(ds, "array index "+p.src[ds:de]+" out of range")
			}
			c.path = append(c.path, accessor{index: idx, isIdx: true})
			p.pos = de + 1
		case '.':
			ks := p.pos + 1
			var ke int
			switch {
			case ks < len(p.src) && isIdentStart(p.src[ks]):
				ke = p.scanWhile(ks, isIdentChar)
			case ks < len(p.src) && isDigit(p.src[ks]):
				ke = p.scanWhile(ks, isDigit)
			default:
				return p.errUnexpected(ks)
			}
			if !p.keyEnd(ke) {
				return p.errUnexpected(ke)
			}
			c.path = append(c.path, accessor{key: p.src[ks:ke]})
			p.pos = ke
		default:
			return nil
		}
	}
}

func (p *parser) addVar(name string) {
	for _, v := range p.vars {
		if v == name {
			return
		}
	}
	p.vars = append(p.vars, name)
}

// operators in the order the original tries them; the word operators are
// case-insensitive prefixes (`a containsx` is `a contains x`).
var operators = [...]struct {
	text string
	op   operator
}{
	{"contains", opContains}, {"starts_with", opStartsWith}, {"ends_with", opEndsWith},
	{">=", opGte}, {"<=", opLte}, {"==", opEq}, {"!=", opNe}, {">", opGt}, {"<", opLt},
}

func (p *parser) parseOperator(c *condition) error {
	for _, o := range operators {
		if p.hasPrefixFold(o.text) {
			c.op = o.op
			p.pos += len(o.text)
			return nil
		}
	}
	return p.errUnexpected(p.pos)
}

// parseValue: quoted | bool | hex | number | bare, tried in this order.
func (p *parser) parseValue(l *literal) error {
	start := p.pos
	if p.eof() {
		return p.errUnexpected(start)
	}
	ch := p.src[start]
	switch {
	case ch == '\'' || ch == '"':
		return p.parseQuoted(l, ch)
	case strings.HasPrefix(p.src[start:], "true") && p.literalEnd(start+4):
		l.kind, l.b, l.text = litBool, true, "true"
		p.pos = start + 4
		return nil
	case strings.HasPrefix(p.src[start:], "false") && p.literalEnd(start+5):
		l.kind, l.b, l.text = litBool, false, "false"
		p.pos = start + 5
		return nil
	}
	if ch == '0' && start+1 < len(p.src) && (p.src[start+1] == 'x' || p.src[start+1] == 'X') {
		end := p.scanWhile(start+2, isHexDigit)
		if end > start+2 && p.literalEnd(end) {
			p.pos = end
			setString(l, p.src[start:end])
			return nil
		}
	}
	// A token that starts like a number but does not end like one (`1INCH`,
	// `123abc`, `1e3`, `-0x10`) is not an error yet: as in the original,
	// the unquoted-word rule gets the same position next. The number's error
	// is kept for when that rule refuses the word too (`12.5abc`, `0x`).
	var numErr *SyntaxError
	ds := start
	if ch == '+' || ch == '-' {
		ds++
	}
	if ds < len(p.src) && isDigit(p.src[ds]) {
		end := p.scanWhile(ds, isDigit)
		if end < len(p.src) && p.src[end] == '.' {
			if fe := p.scanWhile(end+1, isDigit); fe > end+1 {
				end = fe
			} else {
				numErr = p.errAt(start, "invalid number "+quoteCut(p.tokenAt(start)+"."))
			}
		}
		if numErr == nil {
			if p.literalEnd(end) {
				p.pos = end
				l.kind, l.text = litNumber, p.src[start:end]
				l.num, l.numOK = parseInt(l.text)
				l.setEVM()
				return nil
			}
			numErr = p.errAt(start, "invalid number "+quoteCut(p.src[start:end]+p.tokenAt(end)))
		}
	}
	end := p.scanWhile(start, isBareChar)
	if end == start {
		if numErr != nil {
			return numErr
		}
		return p.errUnexpected(start)
	}
	w := p.src[start:end]
	if isKeyword(w) || isNumberLikeWord(w) || isHexLikeWord(w) {
		if numErr != nil {
			return numErr
		}
		return p.errUnexpected(start)
	}
	p.pos = end
	setString(l, w)
	return nil
}

// isNumberLikeWord reports whether an unquoted word is only digits and
// signs (`123`, `-45`, `1-2`): the original leaves those to the number
// rule, never to the unquoted-string rule.
func isNumberLikeWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) && w[i] != '+' && w[i] != '-' {
			return false
		}
	}
	return true
}

// isHexLikeWord reports whether an unquoted word is 0x/0X followed only by
// hex digits, none included (`0x`): the original leaves those to the hex
// rule, so `0xab` followed by a non-delimiter is an error, not a word.
func isHexLikeWord(w string) bool {
	if len(w) < 2 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X') {
		return false
	}
	for i := 2; i < len(w); i++ {
		if !isHexDigit(w[i]) {
			return false
		}
	}
	return true
}

// parseQuoted: a backslash escapes the next character for lexing only; the
// value keeps the backslash ('foo\'bar' is the 8 characters foo\'bar).
func (p *parser) parseQuoted(l *literal, q byte) error {
	start := p.pos
	for i := start + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			i++
		case q:
			p.pos = i + 1
			setString(l, p.src[start+1:i])
			return nil
		}
	}
	return p.errAt(start, "unterminated string literal")
}

func setString(l *literal, s string) {
	l.kind, l.text = litString, s
	l.lower = rustLower(s)
	l.addr = normalizeAddress(s)
	l.num, l.numOK = parseInt(s)
	l.setEVM()
}
