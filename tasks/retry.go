package tasks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
)

// retryInError asks for the next attempt after a given delay: a deliver
// handler returns it with the trigger's backoff or a receiver's
// Retry-After.
type retryInError struct {
	Delay time.Duration
	Err   error
}

func (e *retryInError) Error() string {
	return fmt.Sprintf("%v (retry in %s)", e.Err, e.Delay)
}
func (e *retryInError) Unwrap() error { return e.Err }

// RetryIn wraps err so the next attempt comes after d.
func RetryIn(d time.Duration, err error) error { return &retryInError{Delay: d, Err: err} }

// deferError puts a task aside for a while without counting a failure:
// the work is fine, the moment is not (its tenant's deliveries are all in
// flight, the delivery log is unreachable). asynq keeps it as a retry and
// runs it again after Delay; the retry count, and so the task's
// dead-letter budget, is untouched (see IsFailure).
type deferError struct {
	Delay time.Duration
	Err   error
}

func (e *deferError) Error() string {
	return fmt.Sprintf("deferred %s: %v", e.Delay, e.Err)
}
func (e *deferError) Unwrap() error { return e.Err }

// Defer wraps err so the task runs again after d, not counted as a failure.
func Defer(d time.Duration, err error) error { return &deferError{Delay: d, Err: err} }

// IsFailure is ozmon's asynq IsFailure: a deferred task has not failed.
func IsFailure(err error) bool {
	var de *deferError
	return err != nil && !errors.As(err, &de)
}

// RetryDelay is ozmon's asynq RetryDelayFunc: a delay asked for by the
// handler wins; otherwise exponential seconds with jitter (1s, 2s, 4s … up
// to 60s), not asynq's default that reaches hours and weeks — a ledger is
// worth little an hour late.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	var de *deferError
	if errors.As(err, &de) && de.Delay > 0 {
		return de.Delay
	}
	var ri *retryInError
	if errors.As(err, &ri) && ri.Delay > 0 {
		// asynq stores the retry time in whole seconds (truncated): one
		// more second guarantees "not before", which a receiver's
		// Retry-After demands.
		return ri.Delay + time.Second
	}
	if n < 0 {
		n = 0
	}
	if n > 6 {
		n = 6
	}
	base := time.Second << n
	jitter := time.Duration(rand.Int64N(int64(base / 4)))
	return base + jitter
}
