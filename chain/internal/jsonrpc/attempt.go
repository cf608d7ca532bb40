package jsonrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// attempt makes one HTTP POST to one endpoint.
func (t *Transport) attempt(ctx context.Context, ep endpoint, c *Call) (attemptKind, error) {
	fail := func(kind attemptKind, f Fault) (attemptKind, error) {
		f.Endpoint = ep.redacted
		return kind, c.Fault(f)
	}
	body, err := encodeRequest(t.newID(), c.Method, c.Params)
	if err != nil {
		return fail(final, Fault{Err: fmt.Errorf("encode request: %w", err)})
	}

	actx, cancel := context.WithTimeout(ctx, t.callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, ep.url, bytes.NewReader(body))
	if err != nil {
		return fail(final, Fault{Err: errors.New("build request: invalid endpoint URL")})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		return fail(transient, Fault{Err: t.transportErr(ctx, actx, err)})
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return fail(transient, Fault{HTTPStatus: resp.StatusCode, Err: errors.New(http.StatusText(resp.StatusCode))})
	}

	var rpcErr *rpcError
	switch {
	case t.raw:
		rpcErr, err = t.decodeRaw(ctx, actx, resp.Body, c.Result)
	case c.Parse != nil:
		rpcErr, err = t.decodeParsed(ctx, actx, resp, c)
	default:
		rpcErr, err = t.decodeStream(ctx, actx, resp.Body, c.Result)
	}
	if err != nil {
		return fail(transient, Fault{Err: err})
	}
	if rpcErr != nil {
		msg := Truncate(rpcErr.Message, 300)
		if c.Classify != nil {
			if cerr := c.Classify(rpcErr.Code, msg, ep.redacted); cerr != nil {
				return fail(final, Fault{Code: rpcErr.Code, Message: msg, Err: cerr})
			}
		}
		kind := transient
		switch rpcErr.Code {
		case -32600, -32601, -32602: // invalid request, unknown method, invalid params
			kind = final
		}
		return fail(kind, Fault{Code: rpcErr.Code, Message: msg})
	}
	return transient, nil
}

// transportErr describes a failed HTTP exchange without the URL (which
// *url.Error would print, secrets and all).
func (t *Transport) transportErr(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s", t.callTimeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Truncate cuts s to n bytes, marking the cut, so that a node's long
// message does not swamp an error.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
