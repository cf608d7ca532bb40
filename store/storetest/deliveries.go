package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

func deliveryLog(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("lifecycle", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		tenant := put(t, st, "acme", StandardFixture())
		key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet",
			Ledger: 5000123, TxHash: "ab12", Trigger: "ops_hook"}

		if err := s.FinishDelivery(ctx, key, store.DeliveryDelivered, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("finish before begin: %v", err)
		}
		d, err := s.BeginDelivery(ctx, key, "task-1", "webhook")
		must(t, err)
		if d.Key != key || d.Attempts != 1 || d.Status != store.DeliverySending || d.TaskID != "task-1" ||
			d.Channel != "webhook" || d.FirstAttemptAt == nil || d.DeliveredAt != nil {
			t.Fatalf("first begin = %+v", d)
		}
		must(t, s.FinishDelivery(ctx, key, store.DeliveryFailed, "HTTP 503"))
		d, err = s.BeginDelivery(ctx, key, "task-1", "webhook")
		must(t, err)
		if d.Attempts != 2 || d.Status != store.DeliverySending || d.LastError != "HTTP 503" {
			t.Fatalf("second begin = %+v", d)
		}
		must(t, s.FinishDelivery(ctx, key, store.DeliveryDelivered, ""))
		// A duplicate task finds it delivered and must not send again; its
		// late failure report changes nothing.
		d, err = s.BeginDelivery(ctx, key, "task-dup", "webhook")
		must(t, err)
		if d.Status != store.DeliveryDelivered || d.Attempts != 2 || d.TaskID != "task-1" || d.DeliveredAt == nil || d.LastError != "" {
			t.Fatalf("begin after delivered = %+v", d)
		}
		must(t, s.FinishDelivery(ctx, key, store.DeliveryFailed, "late"))
		list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
		if err != nil || len(list) != 1 || list[0].Status != store.DeliveryDelivered || list[0].LastError != "" {
			t.Fatalf("after late failure: %+v, %v", list, err)
		}
		for _, bad := range []store.DeliveryStatus{"lost", store.DeliveryPending} {
			if err := s.FinishDelivery(ctx, key, bad, ""); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("finish as %q: %v, want ErrInvalid", bad, err)
			}
		}
		noMonitor := key
		noMonitor.Monitor = ""
		if _, err := s.BeginDelivery(ctx, noMonitor, "task-2", "webhook"); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("key without a monitor: %v, want ErrInvalid", err)
		}
	})

	t.Run("list filters", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		a := put(t, st, "alpha", StandardFixture())
		b := put(t, st, "beta", StandardFixture())
		begin := func(tenant, mon string, ledger uint64, task string, outcome store.DeliveryStatus) {
			k := store.DeliveryKey{TenantID: tenant, Monitor: mon, Network: "stellar_testnet", Ledger: ledger, TxHash: "tx", Trigger: "ops_hook"}
			if _, err := s.BeginDelivery(ctx, k, task, "webhook"); err != nil {
				t.Fatal(err)
			}
			if outcome != "" {
				must(t, s.FinishDelivery(ctx, k, outcome, ""))
			}
		}
		begin(a, "Big swaps", 1, "t1", store.DeliveryDelivered)
		begin(a, "Big swaps", 2, "t2", store.DeliveryArchived)
		begin(a, "Small swaps", 3, "t3", "")
		begin(b, "Big swaps", 4, "t4", store.DeliveryDelivered)

		count := func(f store.DeliveryFilter) int {
			t.Helper()
			ds, err := s.ListDeliveries(ctx, f)
			must(t, err)
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
		if _, err := s.ListDeliveries(ctx, store.DeliveryFilter{Status: "lost"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown status: %v, want ErrInvalid", err)
		}
	})

	t.Run("list limit", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		tenant := put(t, st, "acme", StandardFixture())
		exp := make([]store.ExpectedDelivery, 1001)
		for i := range exp {
			exp[i] = store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet",
				Ledger: uint64(i + 1), TxHash: "tx", Trigger: "ops_hook"}, TaskID: "t", Channel: "webhook"}
		}
		must(t, s.ExpectDeliveries(ctx, exp))
		for _, c := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {5, 5}, {5000, 1000}} {
			ds, err := s.ListDeliveries(ctx, store.DeliveryFilter{Limit: c.limit})
			if err != nil || len(ds) != c.want {
				t.Errorf("limit %d: %d deliveries, %v; want %d", c.limit, len(ds), err, c.want)
			}
		}
	})

	t.Run("begin reports the previous status", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		tenant := put(t, st, "acme", StandardFixture())
		k := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 700, TxHash: "ab", Trigger: "ops_hook"}
		for i, step := range PreviousStatusSteps() {
			d, err := s.BeginDelivery(ctx, k, "task", "webhook")
			must(t, err)
			if d.Previous != step.Want {
				t.Fatalf("step %d: previous %q, want %q (record %+v)", i, d.Previous, step.Want, d)
			}
			if step.Finish != "" {
				must(t, s.FinishDelivery(ctx, k, step.Finish, ""))
			}
		}
	})
}

// PreviousStatusStep is one attempt of a notification: the outcome
// recorded after BeginDelivery ("" = none: the worker died) and the
// Previous status the attempt's BeginDelivery must report.
type PreviousStatusStep struct {
	Finish, Want store.DeliveryStatus
}

// PreviousStatusSteps is the story every delivery log must tell the same
// way: an attempt that finds the record still "sending" knows an earlier
// attempt never recorded its outcome (the notification is in doubt). A
// store with another write path (store/postgres's grouped statement)
// checks it against the same steps.
func PreviousStatusSteps() []PreviousStatusStep {
	return []PreviousStatusStep{
		{"", ""},                    // new record
		{"", store.DeliverySending}, // the first attempt died mid-send
		{store.DeliveryFailed, store.DeliverySending},
		{store.DeliveryInDoubt, store.DeliveryFailed},
		{store.DeliveryDelivered, store.DeliveryInDoubt},
		{"", store.DeliveryDelivered},
	}
}

func deliveryResetter(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("forced resend", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		if s == nil {
			t.Fatal("storetest: a DeliveryResetter needs Stores.Deliveries")
		}
		tenant := put(t, st, "acme", StandardFixture())
		key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "evm_local", Ledger: 11, TxHash: "c", Trigger: "ops_hook"}
		_, err := s.BeginDelivery(ctx, key, "t", "webhook")
		must(t, err)
		must(t, s.FinishDelivery(ctx, key, store.DeliveryDelivered, ""))
		// A forced resend resets even a delivered record.
		must(t, st.Resetter.ResetDelivery(ctx, key))
		d, err := s.BeginDelivery(ctx, key, "t", "webhook")
		if err != nil || d.Status != store.DeliverySending || d.Attempts != 2 {
			t.Fatalf("after reset = %+v, %v", d, err)
		}
		missing := key
		missing.Ledger, missing.TxHash = 99, "zz"
		if err := st.Resetter.ResetDelivery(ctx, missing); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reset of a missing record: %v, want ErrNotFound", err)
		}
	})
}

func orphanFlagger(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("flags the replaced block's other transactions", func(t *testing.T) {
		t.Parallel()
		st := newStores(t)
		s, ctx := st.Deliveries, bg()
		if s == nil {
			t.Fatal("storetest: an OrphanFlagger needs Stores.Deliveries")
		}
		tenant := put(t, st, "acme", StandardFixture())
		key := func(ledger uint64, tx string) store.DeliveryKey {
			return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "evm_local", Ledger: ledger, TxHash: tx, Trigger: "ops_hook"}
		}
		for _, k := range []store.DeliveryKey{key(10, "a"), key(10, "b"), key(11, "c")} {
			_, err := s.BeginDelivery(ctx, k, "t", "webhook")
			must(t, err)
			must(t, s.FinishDelivery(ctx, k, store.DeliveryDelivered, ""))
		}
		// Block 10 was replaced by one that re-includes tx "a" only.
		n, err := st.Orphans.FlagOrphaned(ctx, "evm_local", 10, []string{"a"})
		if err != nil || n != 1 {
			t.Fatalf("FlagOrphaned = %d, %v; want 1", n, err)
		}
		list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
		must(t, err)
		for _, d := range list {
			if want := d.Key.TxHash == "b"; d.Orphaned != want {
				t.Errorf("delivery %s orphaned = %v, want %v", d.Key.TxHash, d.Orphaned, want)
			}
		}
		// A second flagging of the same block changes nothing.
		if n, _ := st.Orphans.FlagOrphaned(ctx, "evm_local", 10, []string{"a"}); n != 0 {
			t.Fatalf("re-flagging marked %d", n)
		}
	})
}
