package stellar

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
	"reflect"
	"slices"
	"time"
)

// attemptKind says what a failed attempt means for the rest of the call.
type attemptKind int

const (
	// transient: the endpoint may answer on a later round (network error,
	// timeout, 429/5xx, garbage, server-side JSON-RPC errors).
	transient attemptKind = iota
	// final: this endpoint will give the same answer again (a ledger
	// outside its range, invalid params, unknown method); other endpoints
	// may still serve the call, but this one is not asked again.
	final
)

// call runs one JSON-RPC method with failover. result must be a pointer to
// the SDK protocol response struct. ledger names the ledger the call is
// about (0 if none) so that every error says which one. check, if set,
// vets a decoded result; a *PrunedError from it counts like the node's own
// range error (the next endpoint is asked, this one not again).
func (c *Client) call(ctx context.Context, method string, ledger uint32, params, result any, check func() error) error {
	n := len(c.endpoints)
	start := c.firstEndpoint()
	excluded := make([]bool, n)
	errs := make([]error, n)
	var ranges []*PrunedError

	for round := 0; round < c.rounds; round++ {
		if !slices.Contains(excluded, false) {
			break // every endpoint has given its final answer
		}
		if round > 0 {
			if err := sleepCtx(ctx, c.backoff(round)); err != nil {
				return fmt.Errorf("stellar rpc %s%s: %w (last errors: %w)", method, ledgerSuffix(ledger), err, errors.Join(errs...))
			}
		}
		for k := 0; k < n; k++ {
			i := (start + k) % n
			if excluded[i] {
				continue
			}
			ep := c.endpoints[i]
			kind, err := c.attempt(ctx, ep, method, ledger, params, result)
			if err == nil && check != nil {
				if cerr := check(); cerr != nil {
					kind = transient
					var pe *PrunedError
					if errors.As(cerr, &pe) {
						pe.Endpoint = ep.redacted
						kind = final
					}
					err = &CallError{Method: method, Endpoint: ep.redacted, Ledger: ledger, Err: cerr}
				}
			}
			if c.observe != nil {
				c.observe(method, ep.redacted, err)
			}
			if err == nil {
				c.markGood(i)
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("stellar rpc %s%s at %s: %w", method, ledgerSuffix(ledger), ep.redacted, ctx.Err())
			}
			errs[i] = err
			var pe *PrunedError
			if errors.As(err, &pe) {
				ranges = append(ranges, pe)
			}
			if kind == final {
				excluded[i] = true
			}
			level := slog.LevelWarn
			if kind == final {
				level = slog.LevelInfo
			}
			c.log.LogAttrs(ctx, level, "stellar rpc attempt failed",
				slog.String("method", method), slog.Uint64("ledger", uint64(ledger)),
				slog.String("endpoint", ep.redacted), slog.Int("round", round+1), slog.Any("error", err))
		}
	}

	// Every endpoint says the ledger is outside its range: that is the
	// answer, not an outage, so say it plainly.
	if len(ranges) == n {
		best := ranges[0]
		for _, r := range ranges[1:] {
			if r.Oldest != 0 && (best.Oldest == 0 || r.Oldest < best.Oldest) {
				best = r
			}
		}
		return fmt.Errorf("stellar rpc %s: %w", method, best)
	}
	// Some endpoints are out of range, others failed: the ones that failed
	// may yet serve the ledger, so this is an outage, not a pruned ledger
	// (a caller that skips pruned ledgers must not skip this one).
	for i, err := range errs {
		if err != nil && errors.As(err, new(*PrunedError)) {
			errs[i] = errors.New(err.Error())
		}
	}
	return fmt.Errorf("stellar rpc %s%s: all %d endpoints failed (%d rounds): %w",
		method, ledgerSuffix(ledger), n, c.rounds, errors.Join(errs...))
}

func ledgerSuffix(ledger uint32) string {
	if ledger == 0 {
		return ""
	}
	return fmt.Sprintf(" ledger %d", ledger)
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
			c.log.Info("stellar rpc failover", "endpoint", c.endpoints[i].redacted)
		}
		c.active = i
		c.activeFrom = time.Now()
	}
}

// backoff is the pause before round (1-based count of failed rounds):
// base·2^(round-1), capped, with jitter in [d/2, d] so that many workers
// do not retry in step.
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
	Params  any    `json:"params,omitempty"`
}

// rpcResponse decodes straight into Result, which holds the caller's
// pointer (encoding/json fills a non-nil pointer held in an interface).
type rpcResponse struct {
	Result any `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// limitedBody caps a response body and remembers why reading stopped.
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

// attempt makes one HTTP POST to one endpoint.
func (c *Client) attempt(ctx context.Context, ep endpoint, method string, ledger uint32, params, result any) (attemptKind, error) {
	fail := func(kind attemptKind, ce CallError) (attemptKind, error) {
		ce.Method, ce.Endpoint, ce.Ledger = method, ep.redacted, ledger
		return kind, &ce
	}
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.mu.Unlock()
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
	// Decode the envelope and the result in one streaming pass: a
	// catch-up batch is tens of MB of JSON, and decoding it into a
	// json.RawMessage first would scan it twice more.
	reflect.ValueOf(result).Elem().SetZero() // an earlier attempt may have half-filled it
	env := rpcResponse{Result: result}
	lb := &limitedBody{r: resp.Body, left: c.maxRespBytes}
	if err := json.NewDecoder(lb).Decode(&env); err != nil {
		switch {
		case lb.exceeded:
			return fail(transient, CallError{Err: fmt.Errorf("response larger than %d bytes", c.maxRespBytes)})
		case lb.readErr != nil:
			return fail(transient, CallError{Err: fmt.Errorf("read response: %w", c.transportErr(ctx, actx, lb.readErr))})
		}
		return fail(transient, CallError{Err: fmt.Errorf("invalid JSON-RPC response: %w", err)})
	}
	if env.Error != nil {
		msg := truncate(env.Error.Message, 300)
		if pe := classifyRange(env.Error.Code, msg, ledger, ep.redacted); pe != nil {
			return fail(final, CallError{Code: env.Error.Code, Message: msg, Err: pe})
		}
		kind := transient
		switch env.Error.Code {
		case -32600, -32601, -32602: // invalid request, unknown method, invalid params
			kind = final
		}
		return fail(kind, CallError{Code: env.Error.Code, Message: msg})
	}
	if env.Result == nil { // "result": null
		return fail(transient, CallError{Err: errors.New("JSON-RPC response has a null result")})
	}
	// An absent "result" leaves result zero; each method's check rejects
	// a zero answer (no latest ledger, no passphrase).
	return transient, nil
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
