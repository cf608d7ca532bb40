package evm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// attemptKind says what a failed attempt means for the rest of the call.
type attemptKind int

const (
	// transient: the endpoint may answer on a later round.
	transient attemptKind = iota
	// final: this endpoint will give the same answer again (not found,
	// invalid params, unknown method); others may still serve the call.
	final
)

// notFound is what a check returns for a null answer: final for the
// endpoint, and the call's answer when every endpoint says it.
type notFound struct{ err error }

func (n notFound) Error() string { return n.err.Error() }
func (n notFound) Unwrap() error { return n.err }

// call runs one JSON-RPC method with failover and returns its raw result.
// subject names what the call is about ("block 12") for errors. check, if
// set, vets the raw result; a notFound from it makes this endpoint final.
func (c *Client) call(ctx context.Context, method, subject string, params any, check func(json.RawMessage) error) (json.RawMessage, error) {
	n := len(c.endpoints)
	start := c.firstEndpoint()
	excluded := make([]bool, n)
	errs := make([]error, n)
	misses := 0
	var missErr error

	for round := 0; round < c.rounds; round++ {
		if !slices.Contains(excluded, false) {
			break
		}
		if round > 0 {
			if err := sleepCtx(ctx, c.backoff(round)); err != nil {
				return nil, fmt.Errorf("evm rpc %s%s: %w (last errors: %w)", method, suffix(subject), err, errors.Join(errs...))
			}
		}
		for k := 0; k < n; k++ {
			i := (start + k) % n
			if excluded[i] {
				continue
			}
			ep := c.endpoints[i]
			raw, kind, err := c.attempt(ctx, ep, method, subject, params)
			if err == nil && check != nil {
				if cerr := check(raw); cerr != nil {
					kind = transient
					var nf notFound
					if errors.As(cerr, &nf) {
						kind = final
						misses++
						missErr = nf.err
					}
					err = &CallError{Method: method, Endpoint: ep.redacted, Subject: subject, Err: cerr}
				}
			}
			if c.observe != nil {
				c.observe(method, ep.redacted, err)
			}
			if err == nil {
				c.markGood(i)
				return raw, nil
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("evm rpc %s%s at %s: %w", method, suffix(subject), ep.redacted, ctx.Err())
			}
			errs[i] = err
			if kind == final {
				excluded[i] = true
			}
			level := slog.LevelWarn
			if kind == final {
				level = slog.LevelInfo
			}
			c.log.LogAttrs(ctx, level, "evm rpc attempt failed",
				slog.String("method", method), slog.String("subject", subject),
				slog.String("endpoint", ep.redacted), slog.Int("round", round+1), slog.Any("error", err))
		}
	}
	if misses == n {
		return nil, fmt.Errorf("evm rpc %s%s: %w", method, suffix(subject), missErr)
	}
	// Some endpoints miss it and others failed: an outage, not an answer.
	for i, err := range errs {
		if err != nil && errors.As(err, new(notFound)) {
			errs[i] = errors.New(err.Error())
		}
	}
	return nil, fmt.Errorf("evm rpc %s%s: all %d endpoints failed (%d rounds): %w",
		method, suffix(subject), n, c.rounds, errors.Join(errs...))
}

func suffix(subject string) string {
	if subject == "" {
		return ""
	}
	return " " + subject
}

// firstEndpoint is where a call starts: the endpoint that last worked,
// until failbackAfter has passed, then the highest-weight one again.
func (c *Client) firstEndpoint() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active != 0 && time.Since(c.activeFrom) > c.failbackAfter {
		c.active = 0
	}
	return c.active
}

func (c *Client) markGood(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active != i {
		if i != 0 {
			c.log.Info("evm rpc failover", "endpoint", c.endpoints[i].redacted)
		}
		c.active = i
		c.activeFrom = time.Now()
	}
}

// backoff is the pause before round: base·2^(round-1), capped, with jitter
// in [d/2, d].
func (c *Client) backoff(round int) time.Duration {
	d := c.backoffBase
	for i := 1; i < round && d < c.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.backoffMax)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// attempt makes one HTTP POST to one endpoint and returns the raw result
// ("null" for a null result).
func (c *Client) attempt(ctx context.Context, ep endpoint, method, subject string, params any) (json.RawMessage, attemptKind, error) {
	fail := func(kind attemptKind, ce CallError) (json.RawMessage, attemptKind, error) {
		ce.Method, ce.Endpoint, ce.Subject = method, ep.redacted, subject
		return nil, kind, &ce
	}
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.mu.Unlock()
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(rpcRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params})
	if err != nil {
		return fail(final, CallError{Err: fmt.Errorf("encode request: %w", err)})
	}

	actx, cancel := context.WithTimeout(ctx, c.callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, ep.url, bytes.NewReader(body))
	if err != nil {
		return fail(final, CallError{Err: errors.New("build request: invalid endpoint URL")})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fail(transient, CallError{Err: c.transportErr(ctx, actx, err)})
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return fail(transient, CallError{HTTPStatus: resp.StatusCode, Err: errors.New(http.StatusText(resp.StatusCode))})
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxRespBytes+1))
	if err != nil {
		return fail(transient, CallError{Err: fmt.Errorf("read response: %w", c.transportErr(ctx, actx, err))})
	}
	if int64(len(data)) > c.maxRespBytes {
		return fail(transient, CallError{Err: fmt.Errorf("response larger than %d bytes", c.maxRespBytes)})
	}
	var env rpcResponse
	if err := json.Unmarshal(data, &env); err != nil {
		return fail(transient, CallError{Err: fmt.Errorf("invalid JSON-RPC response: %w", err)})
	}
	if env.Error != nil {
		kind := transient
		switch env.Error.Code {
		case -32600, -32601, -32602: // invalid request, unknown method, invalid params
			kind = final
		}
		return fail(kind, CallError{Code: env.Error.Code, Message: truncate(env.Error.Message, 300)})
	}
	if len(env.Result) == 0 {
		return fail(transient, CallError{Err: errors.New("JSON-RPC response has neither result nor error")})
	}
	return env.Result, transient, nil
}

// transportErr describes a failed HTTP exchange without the URL (which
// *url.Error would print, secrets and all).
func (c *Client) transportErr(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s", c.callTimeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
