package jsonrpc

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff is the pause before round (1-based count of failed rounds):
// base·2^(round-1), capped, with jitter in [d/2, d] so that many workers
// do not retry in step.
func (t *Transport) backoff(round int) time.Duration {
	d := t.backoffBase
	for i := 1; i < round && d < t.backoffMax; i++ {
		d *= 2
	}
	d = min(d, t.backoffMax)
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
