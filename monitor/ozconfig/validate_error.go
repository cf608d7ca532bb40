package ozconfig

import (
	"errors"
	"strings"
)

// ValidationError is one problem in one configuration object: Source says
// which (a file path such as "monitors/usdc.json", or "tenant acme/monitor
// Vault watch"), Path where inside it (a JSON path such as
// "match_conditions.functions[0].expression", empty for the whole object),
// and Msg what is wrong.
type ValidationError struct {
	Source string
	Path   string
	Msg    string

	// err is the underlying error (an *expr.SyntaxError, for instance) so
	// that errors.As reaches it.
	err error
}

// Error renders "source: path: msg", leaving out empty parts. Each part is
// cut at a few KB, so no error repeats a tenant's input at length.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(clipTo(e.Source, maxMessage))
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(clipTo(e.Path, maxMessage))
		b.WriteString(": ")
	}
	b.WriteString(clipTo(e.Msg, maxMessage))
	return b.String()
}

// Unwrap returns the error the message was made from, if any.
func (e *ValidationError) Unwrap() error { return e.err }

// ValidationErrors collects every problem found, in the order found, so a
// user fixes a configuration in one pass instead of one error per run.
type ValidationErrors []*ValidationError

// Error renders one error per line.
func (es ValidationErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the items to errors.Is and errors.As.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// err returns nil for an empty list, so that a function can end with
// "return errs.err()" without returning a typed nil inside an error.
func (es ValidationErrors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// AsValidationErrors flattens err into ValidationErrors: the items of a
// ValidationErrors (also when wrapped), a lone *ValidationError, or any other
// error as a single item with only Msg set. It returns nil for a nil err.
func AsValidationErrors(err error) ValidationErrors {
	if err == nil {
		return nil
	}
	var es ValidationErrors
	if errors.As(err, &es) {
		return es
	}
	var e *ValidationError
	if errors.As(err, &e) {
		return ValidationErrors{e}
	}
	return ValidationErrors{{Msg: err.Error(), err: err}}
}
