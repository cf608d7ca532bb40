package jsonrpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
)

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

// decodeStream decodes the envelope and the result in one streaming pass:
// a Stellar catch-up batch is tens of MB of JSON, and decoding it into a
// json.RawMessage first would scan it twice more. The result goes straight
// into result, which must be a pointer (encoding/json fills a non-nil
// pointer held in an interface).
func (t *Transport) decodeStream(ctx, actx context.Context, body io.Reader, result any) (*rpcError, error) {
	reflect.ValueOf(result).Elem().SetZero() // an earlier attempt may have half-filled it
	env := struct {
		Result any       `json:"result"`
		Error  *rpcError `json:"error"`
	}{Result: result}
	lb := &limitedBody{r: body, left: t.maxRespBytes}
	if err := json.NewDecoder(lb).Decode(&env); err != nil {
		switch {
		case lb.exceeded:
			return nil, fmt.Errorf("response larger than %d bytes", t.maxRespBytes)
		case lb.readErr != nil:
			return nil, fmt.Errorf("read response: %w", t.transportErr(ctx, actx, lb.readErr))
		}
		return nil, fmt.Errorf("invalid JSON-RPC response: %w", err)
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
// word; beyond it the buffer grows with the bytes that really arrive.
const maxPrealloc = 64 << 20

// decodeParsed reads the whole body and lets c.Parse read it, or, when it
// declines, encoding/json as decodeStream would.
func (t *Transport) decodeParsed(ctx, actx context.Context, resp *http.Response, c *Call) (*rpcError, error) {
	body, err := t.readBody(ctx, actx, resp.Body, resp.ContentLength)
	if err != nil {
		return nil, err
	}
	if c.Parse(body) {
		return nil, nil
	}
	return t.decodeStream(ctx, actx, bytes.NewReader(body), c.Result)
}

// readBody reads a whole body under the cap into one buffer: sized from
// Content-Length when the server sent one (plus a byte, so that reading
// EOF does not grow it), else grown by doubling, which copies less than
// io.ReadAll's gentler growth for a body of tens of MB. A Content-Length
// is trusted up to maxPrealloc; one claiming more than the cap is read
// (and refused) as without.
func (t *Transport) readBody(ctx, actx context.Context, body io.Reader, size int64) ([]byte, error) {
	limit := t.maxRespBytes + 1
	var buf []byte
	if size >= 0 && size < limit {
		// Content-Length sizes the buffer, but only up to what a real
		// answer needs up front (a 20-ledger mainnet batch is ~30 MB): a
		// lying endpoint must not make us allocate the whole cap at once.
		buf = make([]byte, 0, min(size+1, maxPrealloc))
	}
	r := io.LimitReader(body, limit)
	for {
		if len(buf) == cap(buf) {
			c := min(max(2*int64(cap(buf)), 64<<10), limit)
			buf = append(make([]byte, 0, c), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read response: %w", t.transportErr(ctx, actx, err))
		}
		if int64(len(buf)) >= limit {
			break
		}
	}
	if int64(len(buf)) > t.maxRespBytes {
		return nil, fmt.Errorf("response larger than %d bytes", t.maxRespBytes)
	}
	return buf, nil
}

// decodeRaw reads the whole body under the cap and hands back the raw
// result, "null" included: for EVM a null block is an answer to judge.
func (t *Transport) decodeRaw(ctx, actx context.Context, body io.Reader, result any) (*rpcError, error) {
	dst, ok := result.(*json.RawMessage)
	if !ok {
		return nil, fmt.Errorf("result is %T, not *json.RawMessage", result)
	}
	data, err := io.ReadAll(io.LimitReader(body, t.maxRespBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", t.transportErr(ctx, actx, err))
	}
	if int64(len(data)) > t.maxRespBytes {
		return nil, fmt.Errorf("response larger than %d bytes", t.maxRespBytes)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("invalid JSON-RPC response: %w", err)
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

// limitedBody caps a response body and remembers why reading stopped, so
// that a cut-off body reads as too large rather than as bad JSON.
type limitedBody struct {
	r        io.Reader
	left     int64
	exceeded bool
	readErr  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		b.exceeded = true
		return 0, errors.New("response too large")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}
