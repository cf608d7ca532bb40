package jsonrpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
)

// Call is one JSON-RPC method call and the chain package's say in how its
// failures read and count.
type Call struct {
	Method string
	Params any // omitted from the request when nil
	// Result is where the result goes: the caller's pointer, or a
	// *json.RawMessage with WithRawResult.
	Result any
	// Subject names what the call is about ("ledger 5", "block 12"; "" for
	// nothing) so that every error says it; LogAttr is how logs say it.
	Subject string
	LogAttr slog.Attr

	// Fault turns one failed attempt into the chain package's error type.
	// It is required.
	Fault func(Fault) error
	// Parse, if set, is tried first on the whole body of a 2xx answer
	// (read under the size cap, sized by Content-Length): it fills Result
	// itself and reports true, or reports false for anything it does not
	// read exactly as encoding/json would (see Scanner), and the body then
	// goes through encoding/json as without it. It lets a big, regular
	// answer skip the general scanner. Ignored with WithRawResult.
	Parse func(body []byte) bool
	// MaxBytes, if positive, caps this call's answer instead of the
	// transport's WithMaxResponseBytes (a getLedgers call sized by the
	// ledgers it asks for).
	MaxBytes int64
	// Check, if set, vets a decoded result; its error fails the attempt
	// (transient unless Answer claims it).
	Check func() error
	// Classify, if set, may turn a JSON-RPC error into Fault.Err; a non-nil
	// result makes the attempt final for that endpoint.
	Classify func(code int, message, endpoint string) error
	// Answer, if set, reports whether a failed attempt's error is the
	// endpoint's answer (a ledger it pruned, a block it lacks) rather than
	// a failure: the endpoint is not asked again, and when every endpoint
	// answers, Settle's error is the call's.
	Answer func(err error, endpoint string) bool
	// Settle builds the call's error from the answers, in the order they
	// came, when every endpoint answered.
	Settle func(answers []error) error
}

// attemptKind says what a failed attempt means for the rest of the call.
type attemptKind int

const (
	// transient: the endpoint may answer on a later round (network error,
	// timeout, 429/5xx, garbage, server-side JSON-RPC errors).
	transient attemptKind = iota
	// final: this endpoint will give the same answer again (invalid
	// params, unknown method, an Answer); other endpoints may still serve
	// the call, but this one is not asked again.
	final
)

// Call runs c with failover: endpoints in order from the last good one,
// for up to the configured rounds, with backoff between rounds.
func (t *Transport) Call(ctx context.Context, c Call) error {
	n := len(t.endpoints)
	start := t.firstEndpoint()
	excluded := make([]bool, n)
	answered := make([]bool, n)
	errs := make([]error, n)
	var answers []error

	for round := 0; round < t.rounds; round++ {
		if !slices.Contains(excluded, false) {
			break // every endpoint has given its final answer
		}
		if round > 0 {
			if err := sleepCtx(ctx, t.backoff(round)); err != nil {
				return fmt.Errorf("%s %s%s: %w (last errors: %w)", t.name, c.Method, suffix(c.Subject), err, errors.Join(errs...))
			}
		}
		for k := 0; k < n; k++ {
			i := (start + k) % n
			if excluded[i] {
				continue
			}
			ep := t.endpoints[i]
			kind, err := t.attempt(ctx, ep, &c)
			if err == nil && c.Check != nil {
				if cerr := c.Check(); cerr != nil {
					kind = transient
					err = c.Fault(Fault{Endpoint: ep.redacted, Err: cerr})
				}
			}
			// Before the observer, which may print the error: Answer may
			// put the endpoint into it.
			isAnswer := err != nil && c.Answer != nil && c.Answer(err, ep.redacted)
			if t.observe != nil {
				t.observe(c.Method, ep.redacted, err)
			}
			if err == nil {
				t.markGood(i)
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%s %s%s at %s: %w", t.name, c.Method, suffix(c.Subject), ep.redacted, ctx.Err())
			}
			errs[i] = err
			if isAnswer {
				kind = final
				answered[i] = true
				answers = append(answers, err)
			}
			if kind == final {
				excluded[i] = true
			}
			level := slog.LevelWarn
			if kind == final {
				level = slog.LevelInfo
			}
			t.log.LogAttrs(ctx, level, t.name+" attempt failed",
				slog.String("method", c.Method), c.LogAttr,
				slog.String("endpoint", ep.redacted), slog.Int("round", round+1), slog.Any("error", err))
		}
	}

	// Every endpoint gave its answer: that is the call's answer, not an
	// outage.
	if len(answers) == n && c.Settle != nil {
		return c.Settle(answers)
	}
	// Some endpoints answered, others failed: the ones that failed may yet
	// serve the call, so this is an outage, and the answers must not match
	// with errors.Is (a caller that skips pruned ledgers must not skip
	// this one).
	for i, err := range errs {
		if answered[i] {
			errs[i] = errors.New(err.Error())
		}
	}
	return fmt.Errorf("%s %s%s: all %d endpoints failed (%d rounds): %w",
		t.name, c.Method, suffix(c.Subject), n, t.rounds, errors.Join(errs...))
}

func suffix(subject string) string {
	if subject == "" {
		return ""
	}
	return " " + subject
}
