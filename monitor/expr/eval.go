package expr

import "strconv"

// Param is one argument an expression can reference, OpenZeppelin
// Monitor's (name, value, kind) triple: Value is the text form (decimal
// for integers, strkey for addresses, compact JSON for Vec/Map arguments of
// functions, Display text for event arguments), Kind the type name
// ("I128", "Address", "Vec<Address>", "Map", "U32", "uint256", …).
type Param struct {
	Name  string
	Value string
	Kind  string
}

// Comparator is a chain's comparison rules: how a (kind, value) pair
// compares with a literal, and which kind a JSON node found by path access
// gets. Implementations are Stellar and EVM; the set is closed because the
// rules are part of the compatibility contract.
type Comparator interface {
	compare(kind, value string, op operator, lit *literal) (bool, error)
	jsonKind(v *jsonValue) string
}

// errorCode classifies evaluation errors the way OpenZeppelin Monitor does.
type errorCode uint8

const (
	errVariableNotFound errorCode = iota + 1
	errTypeMismatch
	errParse
	errUnsupportedOperator
	errIndexOutOfBounds
	errFieldNotFound
)

var errorCodeNames = [...]string{
	errVariableNotFound: "variable not found", errTypeMismatch: "type mismatch",
	errParse: "parse error", errUnsupportedOperator: "unsupported operator",
	errIndexOutOfBounds: "index out of bounds", errFieldNotFound: "field not found",
}

func (c errorCode) String() string {
	if int(c) < len(errorCodeNames) && errorCodeNames[c] != "" {
		return errorCodeNames[c]
	}
	return "error"
}

// evalError is an evaluation failure; the engine treats it as "no match".
type evalError struct {
	Code errorCode
	Msg  string
}

func (e *evalError) Error() string { return e.Code.String() + ": " + e.Msg }

func evalErr(code errorCode, msg string) error { return &evalError{Code: code, Msg: msg} }

func notFound(name string) *evalError {
	return &evalError{Code: errVariableNotFound, Msg: "variable " + quoteCut(name) + " not found"}
}

// Eval evaluates the expression against params with a chain's rules. AND
// and OR short-circuit left to right, so an error in a side that is not
// evaluated is not reported (as in OpenZeppelin Monitor).
func (e *Expr) Eval(params []Param, c Comparator) (bool, error) {
	if c == nil {
		return false, evalErr(errTypeMismatch, "no comparator given")
	}
	return e.root.eval(params, c)
}

func (n *node) eval(params []Param, c Comparator) (bool, error) {
	switch n.kind {
	case nodeAnd:
		for i := range n.kids {
			ok, err := n.kids[i].eval(params, c)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case nodeOr:
		for i := range n.kids {
			ok, err := n.kids[i].eval(params, c)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return n.cond.eval(params, c)
}

func (cd *condition) eval(params []Param, c Comparator) (bool, error) {
	var p *Param
	for i := range params {
		if params[i].Name == cd.name {
			p = &params[i]
			break
		}
	}
	if p == nil {
		if cd.notFound != nil {
			return false, cd.notFound
		}
		return false, notFound(cd.name)
	}
	if len(cd.path) == 0 {
		return c.compare(p.Kind, p.Value, cd.op, &cd.lit)
	}
	// Path access: the value is read as JSON whatever its declared kind.
	root, err := parseJSON(p.Value)
	if err != nil {
		return false, evalErr(errParse, "value of "+quoteCut(cd.name)+" (kind "+quoteCut(p.Kind)+") is not JSON: "+err.Error())
	}
	cur := &root
	for i, a := range cd.path {
		at := func() string { return (&condition{name: cd.name, path: cd.path[:i+1]}).describe() }
		if a.isIdx {
			if cur.typ != jArray {
				return false, evalErr(errTypeMismatch, "index access on a non-array at "+at())
			}
			if a.index >= uint64(len(cur.arr)) {
				return false, evalErr(errIndexOutOfBounds, "index "+uitoa(a.index)+" out of bounds for array of length "+strconv.Itoa(len(cur.arr))+" at "+at())
			}
			cur = &cur.arr[a.index]
			continue
		}
		if cur.typ != jObject {
			return false, evalErr(errTypeMismatch, "key access on a non-object at "+at())
		}
		next, ok := cur.get(a.key)
		if !ok {
			return false, evalErr(errFieldNotFound, "key "+quoteCut(a.key)+" not found at "+at())
		}
		cur = next
	}
	return c.compare(c.jsonKind(cur), cur.text(), cd.op, &cd.lit)
}
