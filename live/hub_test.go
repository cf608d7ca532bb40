package live_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/live"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPublishedEventsReachTheSubscriber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.subscribe(t.Context(), "t1", live.Filter{}, "")
	e.publish(match("t1", "m", 1), delivery("t1", "m", "delivered", 1))
	got := receive(t, s, 2)
	if got[0].Kind != live.KindMatch || got[0].Monitor != "m" || got[0].Ledger != 1 || got[0].TxHash != "tx1" ||
		string(got[0].Match) != `{"Stellar":{"n":1}}` || got[0].ID == "" {
		t.Fatalf("match event = %+v", got[0])
	}
	if got[1].Kind != live.KindDelivery || got[1].Status != "delivered" || got[1].NotificationID != "ntf_1" || got[1].Trigger != "hook" {
		t.Fatalf("delivery event = %+v", got[1])
	}
	if got[1].ID <= got[0].ID && len(got[1].ID) == len(got[0].ID) {
		t.Fatalf("ids out of order: %s then %s", got[0].ID, got[1].ID)
	}
	if n := testutil.ToFloat64(e.m.Live.Published); n != 2 {
		t.Fatalf("published metric = %v, want 2", n)
	}
}

func TestTenantsNeverSeeEachOthersEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.subscribe(t.Context(), "tenant-a", live.Filter{}, "")
	b := e.subscribe(t.Context(), "tenant-b", live.Filter{}, "")
	// A tenant id that looks like another's key is refused, not aliased.
	if _, err := e.hub.Subscribe(t.Context(), "tenant-a}:x", live.Filter{}, ""); err == nil {
		t.Fatal("a tenant id with a brace was accepted")
	}
	e.publish(match("tenant-a", "ma", 1), match("tenant-b", "mb", 2), match("tenant-a", "ma", 3))
	for _, ev := range receive(t, a, 2) {
		if ev.Monitor != "ma" {
			t.Fatalf("tenant a received %+v", ev)
		}
	}
	if ev := receive(t, b, 1)[0]; ev.Monitor != "mb" || ev.Ledger != 2 {
		t.Fatalf("tenant b received %+v", ev)
	}
	quiet(t, a)
	quiet(t, b)
}

func TestFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ms := e.subscribe(t.Context(), "t", live.Filter{Kind: live.KindMatch, Monitor: "x"}, "")
	ds := e.subscribe(t.Context(), "t", live.Filter{Kind: live.KindDelivery, Status: "archived"}, "")
	e.publish(match("t", "y", 1), delivery("t", "x", "delivered", 2), match("t", "x", 3), delivery("t", "y", "archived", 4))
	if ev := receive(t, ms, 1)[0]; ev.Kind != live.KindMatch || ev.Monitor != "x" || ev.Ledger != 3 {
		t.Fatalf("matches(x) received %+v", ev)
	}
	if ev := receive(t, ds, 1)[0]; ev.Status != "archived" || ev.Ledger != 4 {
		t.Fatalf("deliveries(archived) received %+v", ev)
	}
	quiet(t, ms)
	quiet(t, ds)
}

func TestSubscribeRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		tenant string
		filter live.Filter
		after  string
		want   string
	}{
		{"", live.Filter{}, "", "tenant id is empty"},
		{"a b", live.Filter{}, "", "brace, space or control"},
		{strings.Repeat("x", 200), live.Filter{}, "", "at most 128"},
		{"t", live.Filter{Kind: "transfers"}, "", `filter kind "transfers"`},
		{"t", live.Filter{Status: "sent"}, "", `filter status "sent"`},
		{"t", live.Filter{}, "yesterday", `event id "yesterday"`},
		{"t", live.Filter{}, "12-x", `event id "12-x"`},
	} {
		_, err := e.hub.Subscribe(t.Context(), c.tenant, c.filter, c.after)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Subscribe(%q, %+v, %q) = %v, want an error saying %q", c.tenant, c.filter, c.after, err, c.want)
		}
	}
	if st := e.hub.Stats(); st.Feeds != 0 || st.Subscriptions != 0 {
		t.Fatalf("refused subscriptions left %+v", st)
	}
	// The publisher refuses the same ids and counts what it dropped.
	err := e.pub.Publish(t.Context(), match("", "m", 1), match("ok", "m", 2))
	if err == nil || !strings.Contains(err.Error(), "tenant id is empty") {
		t.Fatalf("publish with an empty tenant: %v", err)
	}
	if n := e.rdb.XLen(t.Context(), "test:live:{ok}").Val(); n != 1 {
		t.Fatalf("the valid event of the batch was not published: stream has %d", n)
	}
}

func TestOneReaderPerTenantWhateverTheSubscribers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const subs, events = 50, 20
	var all []*live.Subscription
	for range subs {
		all = append(all, e.subscribe(t.Context(), "busy", live.Filter{}, ""))
	}
	other := e.subscribe(t.Context(), "other", live.Filter{}, "")
	if st := e.hub.Stats(); st.Feeds != 2 || st.Subscriptions != subs+1 {
		t.Fatalf("stats = %+v, want 2 feeds, %d subscriptions", st, subs+1)
	}
	for i := range events {
		e.publish(match("busy", "m", i))
	}
	for _, s := range all {
		receive(t, s, events)
	}
	// Read once from Redis, fanned out 50 times.
	if st := e.hub.Stats(); st.EntriesRead != events {
		t.Fatalf("entries read = %d, want %d (one read per event)", st.EntriesRead, events)
	}
	for _, s := range all {
		s.Close()
		if _, ok := <-s.Events(); ok {
			t.Fatal("a closed subscription's channel is still open")
		}
		if !errors.Is(s.Err(), live.ErrClosed) {
			t.Fatalf("Err = %v", s.Err())
		}
	}
	if st := e.hub.Stats(); st.Feeds != 1 || st.Subscriptions != 1 {
		t.Fatalf("after the last subscriber left: %+v, want only tenant other's feed", st)
	}
	other.Close()
	if n := testutil.ToFloat64(e.m.Live.Feeds); n != 0 {
		t.Fatalf("feeds gauge = %v", n)
	}
}

func TestSlowSubscriberIsCutWhileOthersReceiveEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.WithBuffer(4))
	slow := e.subscribe(t.Context(), "t", live.Filter{}, "")
	fast := e.subscribe(t.Context(), "t", live.Filter{}, "")
	const n = 100
	var got []*live.Event
	for i := range n {
		// The fast subscriber reads each event as it comes (a burst larger
		// than the buffer would cut it too: that is the policy).
		e.publish(match("t", "m", i))
		got = append(got, receive(t, fast, 1)...)
	}
	for i, ev := range got {
		if ev.Ledger != uint64(i) {
			t.Fatalf("fast subscriber's event %d is ledger %d", i, ev.Ledger)
		}
	}
	// The slow one kept what fit in its buffer, then was cut.
	kept := 0
	for range slow.Events() {
		kept++
	}
	if kept > 4 || !errors.Is(slow.Err(), live.ErrSlowSubscriber) {
		t.Fatalf("slow subscriber kept %d events, Err = %v; want ≤ 4 and ErrSlowSubscriber", kept, slow.Err())
	}
	if c := testutil.ToFloat64(e.m.Live.SlowCuts); c != 1 {
		t.Fatalf("slow cuts = %v", c)
	}
}

func TestContextEndsTheSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	s := e.subscribe(ctx, "t", live.Filter{}, "")
	cancel()
	select {
	case _, ok := <-s.Events():
		if ok {
			t.Fatal("event after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after the context ended")
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("Err = %v", s.Err())
	}
	if st := e.hub.Stats(); st.Feeds != 0 {
		t.Fatalf("feed kept after its only subscriber left: %+v", st)
	}
}
