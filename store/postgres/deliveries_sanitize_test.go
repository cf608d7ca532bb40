package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ozmon/ozmon/store"
)

// TestDeliveryLogTakesHostileText: every text a delivery record is written
// with — key, task id, channel, last_error — may hold NUL bytes and invalid
// UTF-8 (a hostile RPC's hash, a receiver's reply). Each write is taken,
// and the record is found again by the same key.
func TestDeliveryLogTakesHostileText(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big\x00 swaps\xff", Network: "stellar_testnet\x00", Ledger: 9,
		TxHash: "ab\x00\xfe12", Trigger: "ops\x00hook"}
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: key, TaskID: "task\x00\xff", Channel: "web\x00hook"}}); err != nil {
		t.Fatalf("expect: %v", err)
	}
	d, err := s.BeginDelivery(ctx, key, "task\x00\xff", "web\x00hook")
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if d.Previous != store.DeliveryPending || d.Status != store.DeliverySending {
		t.Fatalf("begin found %+v: the expected record was not found by the same key", d)
	}
	long := strings.Repeat("é\x00", 10000) + "\xff"
	if err := s.FinishDelivery(ctx, key, store.DeliveryArchived, long); err != nil {
		t.Fatalf("finish: %v", err)
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, Monitor: key.Monitor, TaskID: "task\x00\xff"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list by the hostile monitor and task id: %+v, %v", list, err)
	}
	r := list[0]
	for _, s := range []string{r.Key.Monitor, r.Key.Network, r.Key.TxHash, r.Key.Trigger, r.TaskID, r.Channel, r.LastError} {
		if strings.Contains(s, "\x00") || !utf8.ValidString(s) {
			t.Errorf("stored %q", s)
		}
	}
	if r.Status != store.DeliveryArchived || len(r.LastError) > maxStoredText || !strings.HasPrefix(r.LastError, "éé") {
		t.Fatalf("stored %s with a last_error of %d bytes", r.Status, len(r.LastError))
	}
	if err := s.ResetDelivery(ctx, key); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if n, err := s.FlagOrphaned(ctx, key.Network, key.Ledger, []string{key.TxHash}); err != nil || n != 0 {
		t.Fatalf("flag orphaned with the canonical hostile hash: %d, %v", n, err)
	}
}

// TestRefusedDataIsInvalid: a value PostgreSQL refuses as data (here a
// NUL byte written past the sanitizing methods) is reported as
// store.ErrInvalid, which callers do not wait on.
func TestRefusedDataIsInvalid(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := store.DeliveryKey{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 1, TxHash: "bad\x00", Trigger: "t"}
	if _, err := s.beginOne(ctx, beginItem{key: key, taskID: "task", channel: "webhook"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("begin with a NUL byte: %v, want ErrInvalid", err)
	}
	if _, err := s.finishOne(ctx, finishItem{key: key, status: store.DeliveryFailed, lastError: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("finish with a NUL byte: %v, want ErrInvalid", err)
	}
}
