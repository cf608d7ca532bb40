package jsonrpc

import (
	"fmt"
	"strings"
)

// Fault is what went wrong in one attempt, before the chain package
// dresses it as its own error type.
type Fault struct {
	Endpoint string // redacted
	// HTTPStatus is set for non-2xx answers; Code and Message for JSON-RPC
	// errors.
	HTTPStatus int
	Code       int
	Message    string
	Err        error
}

// Describe renders the fault as the chains' CallErrors read:
// "<name> <method>[ <subject>] at <endpoint>: <cause>", where the cause is
// the HTTP status, the JSON-RPC error or Err, in that order.
func (f Fault) Describe(name, method, subject string) string {
	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteString(" ")
	sb.WriteString(method)
	sb.WriteString(suffix(subject))
	sb.WriteString(" at ")
	sb.WriteString(f.Endpoint)
	sb.WriteString(": ")
	switch {
	case f.HTTPStatus != 0:
		fmt.Fprintf(&sb, "HTTP %d", f.HTTPStatus)
		if f.Err != nil {
			sb.WriteString(": ")
			sb.WriteString(f.Err.Error())
		}
	case f.Code != 0:
		fmt.Fprintf(&sb, "JSON-RPC error %d: %s", f.Code, f.Message)
	case f.Err != nil:
		sb.WriteString(f.Err.Error())
	}
	return sb.String()
}
