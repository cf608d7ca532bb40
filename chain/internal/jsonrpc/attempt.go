package jsonrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ozmon/ozmon/internal/textcut"
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

	limit := t.maxRespBytes
	if c.MaxBytes > 0 {
		limit = c.MaxBytes
	}
	data, err := t.readBody(ctx, actx, resp.Body, resp.ContentLength, limit)
	if err != nil {
		kind := transient
		if errors.Is(err, ErrTooLarge) {
			kind = final // this endpoint would send the same answer again
		}
		return fail(kind, Fault{Err: err})
	}
	var rpcErr *rpcError
	switch {
	case t.raw:
		rpcErr, err = decodeRaw(data, c.Result)
	case c.Parse != nil && c.Parse(data):
	default:
		rpcErr, err = decodeInto(data, c.Result)
	}
	if err != nil {
		return fail(transient, Fault{Err: err})
	}
	if rpcErr != nil {
		// Masked before the cut (a node may echo the endpoint's key), and
		// cut before Classify, which may quote it.
		msg := BoundText(maskSecrets(rpcErr.Message, ep.secrets), 300)
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

// Truncate cuts s to at most n bytes without splitting a character, and
// notes the full length, so that a node's long message does not swamp an
// error (nor a log line, nor a task's last error in Redis).
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return textcut.Prefix(s, n) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// BoundText is s fit for an error quoting data from a node: URLs in it
// masked, then cut to n bytes. Masking comes first, so that a secret
// straddling the cut cannot leave its prefix behind.
func BoundText(s string, n int) string { return Truncate(MaskURLs(s), n) }
