package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

func TestDeliveryLifecycle(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet",
		Ledger: 5000123, TxHash: "ab12", Trigger: "ops_hook"}

	if err := s.FinishDelivery(ctx, key, store.DeliveryDelivered, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("finish before begin: %v", err)
	}
	d, err := s.BeginDelivery(ctx, key, "task-1", "webhook")
	if err != nil {
		t.Fatal(err)
	}
	if d.Key != key || d.Attempts != 1 || d.Status != store.DeliverySending || d.TaskID != "task-1" ||
		d.Channel != "webhook" || d.FirstAttemptAt == nil || d.DeliveredAt != nil {
		t.Fatalf("first begin = %+v", d)
	}
	if err := s.FinishDelivery(ctx, key, store.DeliveryFailed, "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	d, err = s.BeginDelivery(ctx, key, "task-1", "webhook")
	if err != nil {
		t.Fatal(err)
	}
	if d.Attempts != 2 || d.Status != store.DeliverySending || d.LastError != "HTTP 503" {
		t.Fatalf("second begin = %+v", d)
	}
	if err := s.FinishDelivery(ctx, key, store.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	// A duplicate task finds it delivered and must not send again; its
	// late failure report changes nothing.
	d, err = s.BeginDelivery(ctx, key, "task-dup", "webhook")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != store.DeliveryDelivered || d.Attempts != 2 || d.TaskID != "task-1" || d.DeliveredAt == nil || d.LastError != "" {
		t.Fatalf("begin after delivered = %+v", d)
	}
	if err := s.FinishDelivery(ctx, key, store.DeliveryFailed, "late"); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(list) != 1 || list[0].Status != store.DeliveryDelivered || list[0].LastError != "" {
		t.Fatalf("after late failure: %+v, %v", list, err)
	}
	if err := s.FinishDelivery(ctx, key, "lost", ""); err == nil {
		t.Fatal("unknown status accepted")
	}
	if _, err := s.BeginDelivery(ctx, store.DeliveryKey{TenantID: "acme", Monitor: "m", Network: "n", Trigger: "t"}, "", ""); err == nil {
		t.Fatal("non-UUID tenant accepted")
	}
}

func TestListDeliveriesFilters(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	begin := func(tenant, mon string, ledger uint64, task string, outcome store.DeliveryStatus) store.DeliveryKey {
		k := store.DeliveryKey{TenantID: tenant, Monitor: mon, Network: "stellar_testnet", Ledger: ledger, TxHash: "tx", Trigger: "ops_hook"}
		if _, err := s.BeginDelivery(ctx, k, task, "webhook"); err != nil {
			t.Fatal(err)
		}
		if outcome != "" {
			if err := s.FinishDelivery(ctx, k, outcome, ""); err != nil {
				t.Fatal(err)
			}
		}
		return k
	}
	begin(a, "Big swaps", 1, "t1", store.DeliveryDelivered)
	begin(a, "Big swaps", 2, "t2", store.DeliveryArchived)
	begin(a, "Small swaps", 3, "t3", "")
	begin(b, "Big swaps", 4, "t4", store.DeliveryDelivered)

	count := func(f store.DeliveryFilter) int {
		t.Helper()
		ds, err := s.ListDeliveries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if f.TenantID != "" && d.Key.TenantID != f.TenantID || f.Monitor != "" && d.Key.Monitor != f.Monitor ||
				f.Status != "" && d.Status != f.Status || f.TaskID != "" && d.TaskID != f.TaskID {
				t.Fatalf("filter %+v returned %+v", f, d)
			}
		}
		return len(ds)
	}
	cases := []struct {
		f    store.DeliveryFilter
		want int
	}{
		{store.DeliveryFilter{}, 4},
		{store.DeliveryFilter{TenantID: a}, 3},
		{store.DeliveryFilter{TenantID: b}, 1},
		{store.DeliveryFilter{TenantID: a, Monitor: "Big swaps"}, 2},
		{store.DeliveryFilter{Status: store.DeliveryDelivered}, 2},
		{store.DeliveryFilter{TenantID: a, Status: store.DeliverySending}, 1},
		{store.DeliveryFilter{TaskID: "t2"}, 1},
		{store.DeliveryFilter{Limit: 2}, 2},
		{store.DeliveryFilter{Since: time.Now().Add(-time.Hour)}, 4},
		{store.DeliveryFilter{Since: time.Now().Add(time.Hour)}, 0},
		{store.DeliveryFilter{Until: time.Now().Add(-time.Hour)}, 0},
		{store.DeliveryFilter{Until: time.Now().Add(time.Hour), TenantID: b}, 1},
	}
	for _, c := range cases {
		if got := count(c.f); got != c.want {
			t.Errorf("filter %+v: %d deliveries, want %d", c.f, got, c.want)
		}
	}
	if _, err := s.ListDeliveries(ctx, store.DeliveryFilter{Status: "lost"}); err == nil {
		t.Fatal("unknown status accepted")
	}
	// Deleting a tenant takes its deliveries with it.
	if _, err := s.pool.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	if got := count(store.DeliveryFilter{}); got != 3 {
		t.Fatalf("after deleting beta: %d deliveries", got)
	}
}

// TestBeginDeliveryReportsPreviousStatus: an attempt that finds the record
// still "sending" knows an earlier attempt never recorded its outcome (the
// notification is in doubt); the single and the grouped statement agree.
func TestBeginDeliveryReportsPreviousStatus(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := func(i int) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: uint64(700 + i), TxHash: "ab", Trigger: "ops_hook"}
	}
	steps := []struct {
		finish store.DeliveryStatus // outcome recorded after the begin ("" = none: the worker died)
		want   store.DeliveryStatus // Previous reported by the next begin
	}{
		{"", ""},                    // new record
		{"", store.DeliverySending}, // the first attempt died mid-send
		{store.DeliveryFailed, store.DeliverySending},
		{store.DeliveryInDoubt, store.DeliveryFailed},
		{store.DeliveryDelivered, store.DeliveryInDoubt},
		{"", store.DeliveryDelivered},
	}
	for _, grouped := range []bool{false, true} {
		k := key(0)
		if grouped {
			k = key(1)
		}
		for i, st := range steps {
			var d store.Delivery
			var err error
			if grouped {
				var rs []result[store.Delivery]
				rs, err = s.beginBatch(ctx, []beginItem{{k, "task", "webhook"}})
				if err == nil {
					d = rs[0].val
				}
			} else {
				d, err = s.BeginDelivery(ctx, k, "task", "webhook")
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Previous != st.want {
				t.Fatalf("grouped=%v step %d: previous %q, want %q (record %+v)", grouped, i, d.Previous, st.want, d)
			}
			if st.finish != "" {
				if err := s.FinishDelivery(ctx, k, st.finish, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// A reply with a NUL byte or invalid UTF-8 is stored, not refused (a
// refused outcome would leave the record in sending).
func TestFinishDeliveryStoresUnprintableErrors(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 1, TxHash: "ab", Trigger: "ops_hook"}
	if _, err := s.BeginDelivery(ctx, key, "task", "webhook"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDelivery(ctx, key, store.DeliveryFailed, "HTTP 500: a\x00b\xffc"); err != nil {
		t.Fatalf("finish with NUL and invalid UTF-8: %v", err)
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil || len(list) != 1 || list[0].Status != store.DeliveryFailed || list[0].LastError != "HTTP 500: ab\uFFFDc" {
		t.Fatalf("stored: %+v, %v", list, err)
	}
	if _, err := s.BeginDelivery(ctx, store.DeliveryKey{TenantID: "x", Monitor: "m", Network: "n", Trigger: "t"}, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("malformed key: %v, want ErrInvalid", err)
	}
}
