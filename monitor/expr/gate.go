package expr

// What an expression requires of one parameter, read from its shape, so
// that an engine can tell without evaluating it that a monitor cannot
// match a ledger at all. Only a top-level condition, or the operands of a
// top-level AND, require anything: an OR's side does not.

// RequiredAddress reports the address the expression requires the
// parameter name to equal under Stellar's address comparison (`to ==
// 'G…'`): the key is AddressKey of the literal. ok is false when the
// expression does not require one.
func (e *Expr) RequiredAddress(name string) (key string, ok bool) {
	found := false
	e.root.required(func(c *condition) bool {
		if c.name == name && len(c.path) == 0 && c.op == opEq && c.lit.kind == litString {
			key, found = c.lit.addr, true
			return true
		}
		return false
	})
	return key, found
}

// AddressKey is the form of an address value that RequiredAddress's key
// is compared with: a value equals the literal under the Stellar rules
// exactly when its key is the literal's.
func AddressKey(value string) string { return normalizeAddress(value) }

// RequiredAbove reports the bound the expression requires the parameter
// name to exceed when it is compared as a Stellar i64 (`value > 100`, or
// `value >= 100`, strict false). ok is false when the expression does not
// require one, or its literal is not an i64.
func (e *Expr) RequiredAbove(name string) (bound int64, strict, ok bool) {
	e.root.required(func(c *condition) bool {
		if c.name != name || len(c.path) != 0 || (c.op != opGt && c.op != opGte) ||
			c.lit.kind != litNumber || !c.lit.numOK || !c.lit.num.fits(64, true) {
			return false
		}
		b := int64(c.lit.num.mag) // fits: |b| < 2^63, or exactly -2^63
		if c.lit.num.negative() {
			b = -b
		}
		bound, strict, ok = b, c.op == opGt, true
		return true
	})
	return bound, strict, ok
}

// required calls fn with each condition the node requires to hold, until
// fn returns true.
func (n *node) required(fn func(*condition) bool) bool {
	switch n.kind {
	case nodeCond:
		return fn(n.cond)
	case nodeAnd:
		for i := range n.kids {
			if n.kids[i].required(fn) {
				return true
			}
		}
	}
	return false
}

// RequiredLowerBound is RequiredAbove for whichever parameter the
// expression first requires a lower bound of (`amount > 1000`, `3 >= 5`).
func (e *Expr) RequiredLowerBound() (name string, bound int64, strict, ok bool) {
	e.root.required(func(c *condition) bool {
		if len(c.path) != 0 || (c.op != opGt && c.op != opGte) ||
			c.lit.kind != litNumber || !c.lit.numOK || !c.lit.num.fits(64, true) {
			return false
		}
		b := int64(c.lit.num.mag)
		if c.lit.num.negative() {
			b = -b
		}
		name, bound, strict, ok = c.name, b, c.op == opGt, true
		return true
	})
	return name, bound, strict, ok
}
