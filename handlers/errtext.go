package handlers

import (
	"context"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/chain"
)

// maxTaskErrorBytes bounds the text of the error a handler returns to
// asynq, which logs it and keeps it as the task's last error (in Redis,
// shown by asynqmon): a last line of defence behind the bounds the chain
// clients and channels set themselves, so that no RPC answer, receiver
// reply or wrapped error can put megabytes there.
const maxTaskErrorBytes = 2048

// boundedError is an error whose text was masked and cut; it unwraps to
// the original, so asynq still sees SkipRetry and the tasks package its
// RetryIn and Defer.
type boundedError struct {
	msg string
	err error
}

func (e *boundedError) Error() string { return e.msg }
func (e *boundedError) Unwrap() error { return e.err }

// boundErrors masks the URLs in a failed task's error text, then cuts it
// to maxTaskErrorBytes (mask first: a cut through a secret would leave
// its prefix unmasked).
func boundErrors(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		if err == nil {
			return nil
		}
		msg := err.Error()
		if safe := chain.ErrorText(msg, maxTaskErrorBytes); safe != msg {
			return &boundedError{msg: safe, err: err}
		}
		return err
	})
}
