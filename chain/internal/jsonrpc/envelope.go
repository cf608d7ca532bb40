package jsonrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// ErrTooLarge is matched (errors.Is) by the error of an attempt whose
// answer was larger than the call's size cap (see WithMaxResponseBytes).
var ErrTooLarge = errors.New("response too large")

// tooLargeError is an answer over the cap; announced is its
// Content-Length when that alone gave it away (-1 otherwise).
type tooLargeError struct{ limit, announced int64 }

func (e *tooLargeError) Error() string {
	s := fmt.Sprintf("response larger than %d bytes (the size cap)", e.limit)
	if e.announced >= 0 {
		s += fmt.Sprintf(": Content-Length %d", e.announced)
	}
	return s
}

func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	// omitempty drops only a nil interface; an empty []any{} is still
	// sent as [], which some EVM nodes require.
	Params any `json:"params,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func encodeRequest(id uint64, method string, params any) ([]byte, error) {
	return json.Marshal(rpcRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params})
}

// maxJSONErrText bounds the text of a decoding error: encoding/json quotes
// the offending value ("cannot unmarshal number 1111…"), which a hostile
// node can make megabytes long.
const maxJSONErrText = 256

// invalidJSON reports a body encoding/json refused, its text bounded; the
// cause is not kept, as its own text is the unbounded one.
func invalidJSON(err error) error {
	return fmt.Errorf("invalid JSON-RPC response: %s", Truncate(err.Error(), maxJSONErrText))
}

// decodeInto decodes the envelope and the result in one pass over the
// body: the result goes straight into result, which must be a pointer
// (encoding/json fills a non-nil pointer held in an interface), without a
// json.RawMessage copy in between.
func decodeInto(body []byte, result any) (*rpcError, error) {
	reflect.ValueOf(result).Elem().SetZero() // an earlier attempt may have half-filled it
	env := struct {
		Result any       `json:"result"`
		Error  *rpcError `json:"error"`
	}{Result: result}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, invalidJSON(err)
	}
	if env.Error != nil {
		return env.Error, nil
	}
	if env.Result == nil { // "result": null
		return nil, errors.New("JSON-RPC response has a null result")
	}
	// An absent "result" leaves result zero; the caller's Check rejects a
	// zero answer.
	return nil, nil
}

// maxPrealloc bounds the buffer readBody allocates on a Content-Length's
// word; beyond it the body is read in chunks like one without.
const maxPrealloc = 64 << 20

// maxChunk bounds the chunks readBody reads a body of unknown size in.
const maxChunk = 4 << 20

// readBody reads a whole body under the cap. A body whose Content-Length
// is known goes into one buffer of that size (plus a byte, so that
// reading EOF needs no more). Any other is read into chunks that double
// up to maxChunk, then joined once: no regrowth copies, and an answer
// over the cap has cost no more than the cap when it is refused, after
// cap+1 bytes. A Content-Length above the cap fails at once, unread.
func (t *Transport) readBody(ctx, actx context.Context, body io.Reader, size, maxBytes int64) ([]byte, error) {
	if size > maxBytes {
		return nil, &tooLargeError{limit: maxBytes, announced: size}
	}
	limit := maxBytes + 1
	next := int64(64 << 10)
	if size >= 0 {
		// Trusted only up to maxPrealloc: a lying endpoint must not
		// make us allocate a large cap at once.
		next = min(size+1, maxPrealloc)
	}
	r := io.LimitReader(body, limit)
	var chunks [][]byte
	var total int64
	for eof := false; !eof && total < limit; next = min(2*next, maxChunk) {
		buf := make([]byte, min(next, limit-total))
		n := 0
		for n < len(buf) {
			m, err := r.Read(buf[n:])
			n += m
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return nil, fmt.Errorf("read response: %w", t.transportErr(ctx, actx, err))
			}
		}
		chunks = append(chunks, buf[:n])
		total += int64(n)
	}
	if total > maxBytes {
		return nil, &tooLargeError{limit: maxBytes, announced: -1}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// decodeRaw hands back the raw result, "null" included (for EVM a null
// block is an answer to judge), as a slice of body rather than a copy
// when the scanner reads the envelope; otherwise encoding/json does.
func decodeRaw(body []byte, result any) (*rpcError, error) {
	dst, ok := result.(*json.RawMessage)
	if !ok {
		return nil, fmt.Errorf("result is %T, not *json.RawMessage", result)
	}
	if raw, ok := scanRawResult(body); ok {
		*dst = raw
		return nil, nil
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, invalidJSON(err)
	}
	if env.Error != nil {
		return env.Error, nil
	}
	if len(env.Result) == 0 {
		return nil, errors.New("JSON-RPC response has neither result nor error")
	}
	*dst = env.Result
	return nil, nil
}

// scanRawResult returns the bytes of a clean answer's "result" value,
// sharing body. Like json.Unmarshal, and unlike ScanResult alone, it
// refuses anything after the response object.
func scanRawResult(body []byte) (json.RawMessage, bool) {
	var raw json.RawMessage
	s := NewScanner(body)
	ok := s.Object([]string{"result", "error"}, func(i int) bool {
		if i != 0 {
			return false
		}
		s.ws()
		start := s.pos
		if !s.Skip() {
			return false
		}
		raw = body[start:s.pos:s.pos]
		return true
	})
	if !ok || raw == nil {
		return nil, false
	}
	s.ws()
	return raw, s.pos == len(body)
}
