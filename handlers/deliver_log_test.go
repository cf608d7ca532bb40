package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// hostileReply is a receiver's answer PostgreSQL would refuse as text.
const hostileReply = "refused\x00 by\xff\xfe the receiver\x00"

// TestHostileReplyIsRecorded: a receiver answering with NUL bytes and
// invalid UTF-8 leaves an archived record with a clean last_error, not a
// record in sending.
func TestHostileReplyIsRecorded(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	p := newPipeline(t, dir, ozmontest.SinkDefault(ozmontest.SinkResponse{Status: 400, Body: hostileReply}))
	id, d := oneDelivery(t, p, nil)
	h, _ := p.directHandlers(t)
	task, _ := tasks.NewTask(d)
	if err := h.Deliver(context.Background(), task); !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("deliver: %v, want a refusal without retry", err)
	}
	recs, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
	if err != nil || len(recs) != 1 || recs[0].Status != store.DeliveryArchived {
		t.Fatalf("records = %+v (%v)", recs, err)
	}
	if e := recs[0].LastError; strings.Contains(e, "\x00") || !utf8.ValidString(e) || !strings.Contains(e, "400") {
		t.Fatalf("last_error = %q", e)
	}
}

// TestHostileKeyIsRecorded: a transaction hash with a NUL byte and invalid
// UTF-8 (a hostile RPC's answer) is recorded and delivered, not deferred
// forever on a write PostgreSQL refuses.
func TestHostileKeyIsRecorded(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	p := newPipeline(t, dir)
	id, d := oneDelivery(t, p, nil)
	d.TxHash += "\x00\xff"
	h, _ := p.directHandlers(t)
	task, _ := tasks.NewTask(d)
	if err := h.Deliver(context.Background(), task); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	recs, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
	if err != nil || len(recs) != 1 || recs[0].Status != store.DeliveryDelivered || !utf8.ValidString(recs[0].Key.TxHash) {
		t.Fatalf("records = %+v (%v)", recs, err)
	}
	if p.sink.Count() != 1 {
		t.Fatalf("receiver got %d requests", p.sink.Count())
	}
}

// TestArchivedOutcomeIsNeverLost: the receiver refuses the notification
// for good, and PostgreSQL will not take the outcome at that moment. The
// task must not be archived with its record in sending (which nothing
// retries): it waits with the outcome kept on it, and once PostgreSQL is
// back the record says archived — without sending again.
func TestArchivedOutcomeIsNeverLost(t *testing.T) {
	t.Parallel()
	p, flaky := flakyPipeline(t, ozmontest.SinkDefault(ozmontest.SinkResponse{Status: 400, Body: hostileReply}))
	id, d := oneDelivery(t, p, nil)
	w := p.workOne(t, d)
	w.waitKept(t, d, store.DeliveryArchived)
	flaky.down.Store(false)
	waitUntil(t, time.Minute, "the outcome to be recorded and the task archived", func() bool {
		recs, _ := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id})
		info, ok := w.info(d)
		return len(recs) == 1 && recs[0].Status == store.DeliveryArchived && ok && info.State == asynq.TaskStateArchived
	})
	if n := p.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d requests, want 1: the retry must record the kept outcome, not resend", n)
	}
}
