package stellar

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
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
	f := jsonrpc.Fault{Endpoint: e.Endpoint, HTTPStatus: e.HTTPStatus, Code: e.Code, Message: e.Message, Err: e.Err}
	return f.Describe("stellar rpc", e.Method, ledgerSubject(e.Ledger))
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
