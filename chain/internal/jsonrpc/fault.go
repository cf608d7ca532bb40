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

// MaxCauseBytes bounds the cause Describe quotes: a node's answer may put
// megabytes into an error (a huge number, a huge message), and the text
// ends up in logs and in the task's last error in Redis.
const MaxCauseBytes = 512

// Describe renders the fault as the chains' CallErrors read:
// "<name> <method>[ <subject>] at <endpoint>: <cause>", where the cause is
// the HTTP status, the JSON-RPC error or Err, in that order, its text
// masked (MaskURLs) and cut to MaxCauseBytes.
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
			sb.WriteString(BoundText(f.Err.Error(), MaxCauseBytes))
		}
	case f.Code != 0:
		fmt.Fprintf(&sb, "JSON-RPC error %d: %s", f.Code, BoundText(f.Message, MaxCauseBytes))
	case f.Err != nil:
		sb.WriteString(BoundText(f.Err.Error(), MaxCauseBytes))
	}
	return sb.String()
}
