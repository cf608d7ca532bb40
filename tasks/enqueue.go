package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// Enqueue enqueues p. A TaskID conflict means the step was already
// scheduled (or done within its retention): enqueued is false and err nil.
func Enqueue(ctx context.Context, c *asynq.Client, p Payload, extra ...asynq.Option) (enqueued bool, err error) {
	t, err := NewTask(p)
	if err != nil {
		return false, err
	}
	_, err = c.EnqueueContext(ctx, t, extra...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", p.TaskID(), err)
	}
	return true, nil
}
