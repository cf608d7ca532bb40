package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// TestConcurrentDeliveryRecords drives the grouped writes the way a busy
// worker does — many records at once, some keys twice at the same moment —
// and checks every record ends as if the calls had run one by one.
func TestConcurrentDeliveryRecords(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	keys := make([]store.DeliveryKey, 120)
	for i := range keys {
		keys[i] = store.DeliveryKey{TenantID: strings.ToUpper(tenant), Monitor: fmt.Sprintf("m%d", i%3), Network: "stellar_testnet",
			Ledger: uint64(1000 + i%7), TxHash: fmt.Sprintf("%064x", i), Trigger: "ops_hook"}
	}
	run := func(n int, f func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = f(i) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	}
	run(len(keys), func(i int) error {
		d, err := s.BeginDelivery(ctx, keys[i], fmt.Sprint("task-", i), "webhook")
		if err == nil && (d.Attempts != 1 || d.Status != store.DeliverySending || d.TaskID != fmt.Sprint("task-", i)) {
			err = fmt.Errorf("first begin of %d = %+v", i, d)
		}
		return err
	})
	// Every key twice at once: both attempts count.
	run(2*len(keys), func(i int) error {
		_, err := s.BeginDelivery(ctx, keys[i/2], "retry", "webhook")
		return err
	})
	unknown := store.DeliveryKey{TenantID: tenant, Monitor: "never", Network: "stellar_testnet", Ledger: 1, TxHash: "x", Trigger: "ops_hook"}
	run(len(keys)+10, func(i int) error {
		if i >= len(keys) {
			err := s.FinishDelivery(ctx, unknown, store.DeliveryDelivered, "")
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("finish of a record never begun: %v", err)
			}
			return nil
		}
		st := store.DeliveryDelivered
		if i%4 == 0 {
			st = store.DeliveryFailed
		}
		return s.FinishDelivery(ctx, keys[i], st, map[bool]string{true: "HTTP 503"}[st == store.DeliveryFailed])
	})
	// A late failure of a delivered record changes nothing.
	run(len(keys), func(i int) error {
		return s.FinishDelivery(ctx, keys[i], store.DeliveryFailed, "late")
	})
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(keys) {
		t.Fatalf("%d records, want %d", len(list), len(keys))
	}
	delivered := 0
	for _, d := range list {
		if d.Attempts != 3 {
			t.Errorf("%s: %d attempts, want 3", d.Key, d.Attempts)
		}
		switch d.Status {
		case store.DeliveryDelivered:
			delivered++
			if d.DeliveredAt == nil || d.LastError != "" {
				t.Errorf("%s: delivered record %+v", d.Key, d)
			}
		case store.DeliveryFailed:
			if d.LastError != "late" {
				t.Errorf("%s: failed record's last error %q", d.Key, d.LastError)
			}
		default:
			t.Errorf("%s: status %s", d.Key, d.Status)
		}
	}
	if delivered != len(keys)*3/4 {
		t.Fatalf("%d delivered, want %d", delivered, len(keys)*3/4)
	}
}

// TestGroupedWriteFailsOnlyTheBadRow: a row PostgreSQL refuses (text with
// a NUL byte) fails the grouped statement; the group is then written row
// by row, so only that caller sees an error.
func TestGroupedWriteFailsOnlyTheBadRow(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(tx string) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 9, TxHash: tx, Trigger: "ops_hook"}
	}
	items := []beginItem{{key: key("good-1"), taskID: "t1", channel: "webhook"}, {key: key("bad\x00"), taskID: "t2", channel: "webhook"}, {key: key("good-2"), taskID: "t3", channel: "webhook"}}
	if _, err := s.beginBatch(ctx, items); err == nil {
		t.Fatal("the grouped statement accepted a NUL byte; this test would not exercise the fallback")
	}
	batch := make([]*pending[beginItem, store.Delivery], len(items))
	for i, it := range items {
		batch[i] = &pending[beginItem, store.Delivery]{item: it, done: make(chan struct{})}
	}
	s.begins.flush(batch)
	for i, p := range batch {
		<-p.done
		if bad := i == 1; bad != (p.res.err != nil) {
			t.Errorf("item %d (%q): err = %v", i, p.item.key.TxHash, p.res.err)
		}
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(list) != 2 {
		t.Fatalf("records after the fallback: %+v, %v", list, err)
	}
}

func TestGroupCommitTakeKeepsKeysApart(t *testing.T) {
	g := &groupCommit[string, int]{maxBatch: 3, key: func(s string) string { return s }}
	for _, k := range []string{"a", "a", "b", "c", "d", "b"} {
		g.queue = append(g.queue, &pending[string, int]{item: k, key: k})
	}
	var got [][]string
	for {
		batch := g.take()
		if len(batch) == 0 {
			break
		}
		var ks []string
		for _, p := range batch {
			ks = append(ks, p.item)
		}
		got = append(got, ks)
	}
	if fmt.Sprint(got) != "[[a b c] [a d b]]" {
		t.Fatalf("batches = %v", got)
	}
}
