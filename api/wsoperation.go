package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// wsOperation is one operation of a graphql-transport-ws connection. A
// query or mutation runs on a goroutine until answered. A subscription
// over a LiveStream (attach) runs on one until set up, then on none: the
// stream's Notify wakes the operation, a goroutine takes what is there —
// each event put in the resolver's channel (pull) and at once read back
// through gqlgen's executor (responses), so selections, marshalling and
// extensions are gqlgen's — and leaves when the stream has nothing more.
type wsOperation struct {
	c  *wsConn
	id string
	// ctx ends when the client completes the operation, with the
	// connection, or when the operation ends.
	ctx    context.Context
	cancel context.CancelFunc

	// Set while the resolver runs (attach, endWith), then used by one
	// drainer at a time.
	pull      func() bool
	responses graphql.ResponseHandler
	rctx      context.Context // what responses is called with
	errs      gqlerror.List   // the closing error frame, if any

	// signals counts wakes not yet looked at; while it is above zero
	// exactly one goroutine drains. It starts at one: the goroutine
	// setting the operation up drains first.
	signals atomic.Int32
}

type wsOperationKey struct{}

func newWSOperation(c *wsConn, id string) *wsOperation {
	op := &wsOperation{c: c, id: id}
	op.ctx, op.cancel = context.WithCancel(c.ctx)
	op.signals.Store(1)
	return op
}

// wsOperationOf is the WebSocket operation ctx runs in, nil outside one.
func wsOperationOf(ctx context.Context) *wsOperation {
	op, _ := ctx.Value(wsOperationKey{}).(*wsOperation)
	return op
}

// attach makes the operation a subscription driven by src: pull puts
// src's next event in the channel the resolver returned (true), or
// closes it when src has ended (true), or finds nothing yet (false).
func (op *wsOperation) attach(src LiveStream, pull func() bool) {
	op.pull = pull
	src.Notify(op.wake)
}

// endWith sets the error frame the subscription ends with.
func (op *wsOperation) endWith(e *gqlerror.Error) { op.errs = append(op.errs, e) }

// wake is the stream's Notify: it starts a drainer unless one runs, and
// returns at once.
func (op *wsOperation) wake() {
	if op.signals.Add(1) == 1 {
		go op.drain()
	}
}

// run parses, validates and executes the operation, as gqlgen's
// WebSocket transport does, then answers it or, for a subscription over
// a LiveStream, drains what it already has and leaves it to wake.
func (op *wsOperation) run(start time.Time, payload json.RawMessage) {
	defer op.recover()
	exec := op.c.exec
	ctx := graphql.StartOperationTrace(op.ctx)
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		op.finish(gqlerror.List{{Message: "invalid json"}})
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, err := exec.CreateOperationContext(ctx, params)
	if err != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), err)
		if errcode.GetErrorKind(err) == errcode.KindProtocol {
			op.finish(resp.Errors)
			return
		}
		op.next(&graphql.Response{Errors: err})
		op.finish(nil)
		return
	}
	ctx = context.WithValue(graphql.WithOperationContext(ctx, rc), wsOperationKey{}, op)
	responses, rctx := exec.DispatchOperation(ctx, rc)
	if op.pull != nil {
		op.responses, op.rctx = responses, rctx
		op.drain()
		return
	}
	for {
		resp := responses(rctx)
		if resp == nil || !op.next(resp) {
			break
		}
	}
	op.finish(op.errs)
}

// drain sends the events the stream has, until it has none (then the
// goroutine leaves, unless woken meanwhile) or has ended.
func (op *wsOperation) drain() {
	defer op.recover()
	for {
		seen := op.signals.Load()
		for op.pull() {
			resp := op.responses(op.rctx)
			if resp == nil {
				// The stream ended, or the operation did (complete, the
				// connection gone): signals stays above zero, so no
				// drainer starts again.
				op.finish(op.errs)
				return
			}
			if !op.next(resp) {
				op.finish(nil)
				return
			}
		}
		if op.signals.CompareAndSwap(seen, 0) {
			return // nothing came since this look: the next wake starts a drainer
		}
	}
}

// next sends one result, unless the client completed the operation or
// the connection is closing: nothing more is sent for it then.
func (op *wsOperation) next(resp *graphql.Response) bool {
	if op.ctx.Err() != nil {
		return false
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(fmt.Errorf("encode the result of operation %s: %w", op.id, err))
	}
	return op.c.send(wsMessage{ID: op.id, Type: "next", Payload: b})
}

// finish ends the operation: an error frame when errs says why,
// otherwise complete — unless the client completed it or the connection
// is gone.
func (op *wsOperation) finish(errs gqlerror.List) {
	c := op.c
	c.mu.Lock()
	if c.ops[op.id] == op {
		delete(c.ops, op.id)
	}
	c.mu.Unlock()
	if op.ctx.Err() == nil {
		if len(errs) > 0 {
			b, err := json.Marshal(errs)
			if err == nil {
				c.send(wsMessage{ID: op.id, Type: "error", Payload: b})
			}
		} else {
			c.send(wsMessage{ID: op.id, Type: "complete"})
		}
	}
	op.cancel()
}

// recover turns a panic while running or draining the operation into an
// INTERNAL error frame: the cause is logged, never sent.
func (op *wsOperation) recover() {
	v := recover()
	if v == nil {
		return
	}
	op.c.t.log.ErrorContext(op.ctx, "api: panic serving a WebSocket operation", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	op.finish(gqlerror.List{{Message: "internal error", Extensions: map[string]any{"code": CodeInternal}}})
}
