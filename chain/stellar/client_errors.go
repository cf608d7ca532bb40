package stellar

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var (
	// ErrLedgerPruned: the ledger is older than every endpoint's retention
	// window. errors.As gives the *PrunedError with the node's range.
	ErrLedgerPruned = errors.New("ledger outside the RPC retention window")
	// ErrLedgerAhead: the ledger is newer than every endpoint's latest
	// ledger; ask again after the tip has moved.
	ErrLedgerAhead = errors.New("ledger not yet closed on the RPC node")
	// ErrNoContractSpec: the contract has no WASM and so no contractspecv0
	// (a Stellar Asset Contract, whose interface is the fixed SEP-41 one).
	ErrNoContractSpec = errors.New("contract has no WASM spec")
	// ErrContractNotFound: the node has no instance entry for the contract.
	ErrContractNotFound = errors.New("contract not found")
)

// PrunedError says that a node cannot serve a ledger because it lies
// outside the node's range [Oldest, Latest]. It matches ErrLedgerPruned
// (ledger before Oldest) or ErrLedgerAhead (ledger after Latest) with
// errors.Is.
type PrunedError struct {
	Ledger, Oldest, Latest uint32
	Endpoint               string // redacted
}

func (e *PrunedError) Error() string {
	what := "is outside the retention window"
	if e.Ahead() {
		what = "is not yet closed"
	}
	s := fmt.Sprintf("ledger %d %s: node serves %d-%d", e.Ledger, what, e.Oldest, e.Latest)
	if e.Endpoint != "" {
		s += " (" + e.Endpoint + ")"
	}
	return s
}

// Ahead reports whether the ledger is newer than the node's latest.
func (e *PrunedError) Ahead() bool { return e.Latest != 0 && e.Ledger > e.Latest }

func (e *PrunedError) Is(target error) bool {
	if e.Ahead() {
		return target == ErrLedgerAhead
	}
	return target == ErrLedgerPruned
}

// CallError is one failed attempt: which method, at which endpoint, for
// which ledger, and what went wrong.
type CallError struct {
	Method   string
	Endpoint string // redacted
	Ledger   uint32 // 0 when the call is not about one ledger
	// HTTPStatus is set for non-2xx answers; Code and Message for JSON-RPC
	// errors.
	HTTPStatus int
	Code       int
	Message    string
	Err        error
}

func (e *CallError) Error() string {
	var sb strings.Builder
	sb.WriteString("stellar rpc ")
	sb.WriteString(e.Method)
	if e.Ledger != 0 {
		sb.WriteString(" ledger ")
		sb.WriteString(strconv.FormatUint(uint64(e.Ledger), 10))
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

// rangeErrRe matches stellar-rpc's two "outside the ledger range" messages:
//
//	start ledger (N) must be between the oldest ledger: A and the latest ledger: B …
//	startLedger must be within the ledger range: A - B
var (
	rangeBetweenRe = regexp.MustCompile(`must be between the oldest ledger:? *(\d+) and the latest ledger:? *(\d+)`)
	rangeWithinRe  = regexp.MustCompile(`must be within the ledger range:? *(\d+) *- *(\d+)`)
)

// classifyRange turns a -32600 range error into a *PrunedError for ledger,
// or returns nil when the message is not one.
func classifyRange(code int, msg string, ledger uint32, endpoint string) *PrunedError {
	if code != -32600 {
		return nil
	}
	low := strings.ToLower(msg)
	m := rangeBetweenRe.FindStringSubmatch(low)
	if m == nil {
		m = rangeWithinRe.FindStringSubmatch(low)
	}
	if m == nil {
		if strings.Contains(low, "must be within the ledger range") || strings.Contains(low, "must be between the oldest ledger") {
			return &PrunedError{Ledger: ledger, Endpoint: endpoint}
		}
		return nil
	}
	a, _ := strconv.ParseUint(m[1], 10, 32)
	b, _ := strconv.ParseUint(m[2], 10, 32)
	return &PrunedError{Ledger: ledger, Oldest: uint32(a), Latest: uint32(b), Endpoint: endpoint}
}

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
		if looksLikeKey(s) {
			segs[i] = "REDACTED"
		}
	}
	out.Path = strings.Join(segs, "/")
	if u.RawQuery != "" {
		out.RawQuery = "REDACTED"
	}
	return out.String(), nil
}

func looksLikeKey(s string) bool {
	if len(s) < 16 {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}
