package evm

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

var (
	// ErrBlockNotFound: every endpoint answered null for the block (it is
	// not yet mined there, or the node does not have it).
	ErrBlockNotFound = errors.New("block not found")
	// ErrReceiptNotFound: every endpoint answered null for the receipt.
	ErrReceiptNotFound = errors.New("transaction receipt not found")
	// ErrInconsistent: the node's answers do not fit together (logs of
	// another block, a log of an unknown transaction): usually a reorg
	// between two calls; fetching again normally succeeds.
	ErrInconsistent = errors.New("inconsistent RPC answers")
)

// CallError is one failed attempt: which method, at which endpoint, about
// what (block, transaction), and what went wrong.
type CallError struct {
	Method   string
	Endpoint string // redacted
	Subject  string // "block 21306058", "tx 0x…"; "" when none
	// HTTPStatus is set for non-2xx answers; Code and Message for JSON-RPC
	// errors.
	HTTPStatus int
	Code       int
	Message    string
	Err        error
}

func (e *CallError) Error() string {
	var sb strings.Builder
	sb.WriteString("evm rpc ")
	sb.WriteString(e.Method)
	if e.Subject != "" {
		sb.WriteString(" ")
		sb.WriteString(e.Subject)
	}
	sb.WriteString(" at ")
	sb.WriteString(e.Endpoint)
	sb.WriteString(": ")
	switch {
	case e.HTTPStatus != 0:
		fmt.Fprintf(&sb, "HTTP %d", e.HTTPStatus)
		if e.Err != nil {
			sb.WriteString(": ")
			sb.WriteString(e.Err.Error())
		}
	case e.Code != 0:
		fmt.Fprintf(&sb, "JSON-RPC error %d: %s", e.Code, e.Message)
	case e.Err != nil:
		sb.WriteString(e.Err.Error())
	}
	return sb.String()
}

func (e *CallError) Unwrap() error { return e.Err }

// RedactURL returns rawURL without what may be a secret: user info, the
// query string and any path segment that looks like an API key (16 or more
// characters holding a digit, as providers put keys in the path).
func RedactURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", errors.New("invalid URL") // the URL itself may hold a key
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" {
		return "", errors.New("URL has no host")
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host}
	if u.User != nil {
		out.User = url.User("REDACTED")
	}
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if len(s) >= 16 && strings.ContainsAny(s, "0123456789") {
			segs[i] = "REDACTED"
		}
	}
	out.Path = strings.Join(segs, "/")
	if u.RawQuery != "" {
		out.RawQuery = "REDACTED"
	}
	return out.String(), nil
}
