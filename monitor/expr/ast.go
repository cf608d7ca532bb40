package expr

import "strings"

// operator is a comparison operator.
type operator uint8

const (
	opEq operator = iota + 1
	opNe
	opGt
	opGte
	opLt
	opLte
	opContains
	opStartsWith
	opEndsWith
)

var opNames = [...]string{
	opEq: "==", opNe: "!=", opGt: ">", opGte: ">=", opLt: "<", opLte: "<=",
	opContains: "contains", opStartsWith: "starts_with", opEndsWith: "ends_with",
}

func (o operator) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "?"
}

// ordering reports whether o is one of the six ordering/equality operators.
func (o operator) ordering() bool { return o >= opEq && o <= opLte }

// litKind is the syntactic class of a right-hand-side literal; the chain
// comparison rules dispatch on it (a quoted '100' is not a number).
type litKind uint8

const (
	litString litKind = iota + 1 // quoted, bare word or 0x-hex
	litNumber                    // [+-]digits[.digits], kept as text
	litBool                      // true / false (lowercase only)
)

func (k litKind) String() string {
	switch k {
	case litString:
		return "string"
	case litNumber:
		return "number"
	case litBool:
		return "bool"
	}
	return "?"
}

// literal is a compiled right-hand side. Everything that can be derived
// from the text alone is derived here, once, so that evaluation never
// re-parses it.
type literal struct {
	text string // string content with raw escapes, or the number's text

	lower string // Rust-style to_lowercase(text)
	addr  string // Stellar address normalization: whitespace removed, lowercased

	num intVal // integer value when numOK
	// evm holds the EVM U256/I256 readings (parse256) of a text that is
	// not a plain integer but still reads as one there (0x-hex, -0x10,
	// 0b101, 1_000); nil otherwise. A plain integer's readings come from num.
	evm *evmInts

	kind  litKind
	b     bool
	numOK bool // text is a Rust-parsable integer ([+-]digits)
}

type evmInts struct {
	u, i     intVal
	uOK, iOK bool
}

// setEVM derives the EVM readings a plain integer's num does not cover.
func (l *literal) setEVM() {
	if l.numOK {
		return
	}
	u, uOK := parse256(l.text, false)
	i, iOK := parse256(l.text, true)
	if uOK || iOK {
		l.evm = &evmInts{u: u, i: i, uOK: uOK, iOK: iOK}
	}
}

// int256 is parse256(l.text, signed), derived at parse time: a plain
// integer ([+-]digits) reads the same in both, except that U256 takes no sign.
func (l *literal) int256(signed bool) (intVal, bool) {
	if l.numOK {
		if !signed && (l.text[0] == '+' || l.text[0] == '-') {
			return intVal{}, false
		}
		return l.num, l.num.fits(256, signed)
	}
	switch {
	case l.evm == nil:
		return intVal{}, false
	case signed:
		return l.evm.i, l.evm.iOK
	}
	return l.evm.u, l.evm.uOK
}

// accessor is one step of a variable path: [index] or .key.
type accessor struct {
	key   string
	index uint64
	isIdx bool
}

// condition is `lhs op literal`.
type condition struct {
	name string
	path []accessor
	op   operator
	lit  literal
	// notFound is the error of a missing variable, made once: a
	// transaction condition on "to" meets it on every transaction without
	// a payment or call, for every such monitor of every tenant, and
	// formatting it each time was a fifth of the evaluation's CPU at
	// 100,000 tenants (docs/scaling.md).
	notFound *evalError
}

type nodeKind uint8

const (
	nodeCond nodeKind = iota
	nodeAnd
	nodeOr
)

// node is an expression tree node. AND/OR chains are flattened into one
// n-ary node: evaluating the children left to right with short-circuit is
// exactly the left-associative binary evaluation, without deep recursion.
type node struct {
	kind nodeKind
	cond *condition
	kids []node
}

// Expr is a compiled expression, safe for concurrent use.
type Expr struct {
	src  string
	root node
	vars []string
}

// String returns the source text the expression was parsed from.
func (e *Expr) String() string { return e.src }

// Vars returns the distinct root variable names the expression references,
// in order of first appearance (e.g. "data" for `data.myKey1 > 5`). The
// returned slice must not be modified.
func (e *Expr) Vars() []string { return e.vars }

// HasVar reports whether name is one of Vars (e.g. whether `gas_used` is needed).
func (e *Expr) HasVar(name string) bool {
	for _, v := range e.vars {
		if v == name {
			return true
		}
	}
	return false
}

// describe renders a condition's left side for error messages.
func (c *condition) describe() string {
	if len(c.path) == 0 {
		return c.name
	}
	var sb strings.Builder
	sb.WriteString(c.name)
	for _, a := range c.path {
		if a.isIdx {
			sb.WriteByte('[')
			sb.WriteString(uitoa(a.index))
			sb.WriteByte(']')
		} else {
			sb.WriteByte('.')
			sb.WriteString(a.key)
		}
	}
	return sb.String()
}
