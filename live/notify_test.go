package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozmon/ozmon/live"
)

// takeNotified takes s's events the way a subscriber without a waiting
// goroutine does: after each notification, every event Events holds,
// without blocking. It returns once want events were taken, or, with
// want < 0, once the channel is closed; a notification that never comes
// fails the test.
func takeNotified(t *testing.T, s *live.Subscription, wake <-chan struct{}, want int) []*live.Event {
	t.Helper()
	var got []*live.Event
	for {
		for {
			select {
			case ev, ok := <-s.Events():
				if !ok {
					if want >= 0 {
						t.Fatalf("channel closed after %d events, want %d (Err %v)", len(got), want, s.Err())
					}
					return got
				}
				got = append(got, ev)
				if len(got) == want {
					return got
				}
				continue
			default:
			}
			break
		}
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatalf("no notification after %d events (want %d): an event or the end went unannounced", len(got), want)
		}
	}
}

func notifier() (func(), <-chan struct{}) {
	wake := make(chan struct{}, 1)
	return func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}, wake
}

// TestNotifyAnnouncesEveryEventAndTheEnd: a subscriber that takes events
// only when notified gets all of them — live, and while catching up
// after a resume id — and learns of the end (the context's) the same way.
func TestNotifyAnnouncesEveryEventAndTheEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.WithBuffer(8))
	for i := range 3 {
		e.publish(match("t", "m", i))
	}
	first := e.rdb.XRange(t.Context(), "test:live:{t}", "-", "+").Val()[0].ID

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	liveSub := e.subscribe(ctx, "t", live.Filter{}, "")
	resumed := e.subscribe(ctx, "t", live.Filter{}, first)
	notifyLive, wakeLive := notifier()
	notifyResumed, wakeResumed := notifier()
	liveSub.Notify(notifyLive)
	resumed.Notify(notifyResumed)

	// Published one by one, taken as announced: more than the buffer in
	// all, so nothing fits without being taken.
	const n = 20
	var gotLive, gotResumed []*live.Event
	gotResumed = append(gotResumed, takeNotified(t, resumed, wakeResumed, 2)...) // the backlog after first
	for i := 3; i < 3+n; i++ {
		e.publish(match("t", "m", i))
		gotLive = append(gotLive, takeNotified(t, liveSub, wakeLive, 1)...)
		gotResumed = append(gotResumed, takeNotified(t, resumed, wakeResumed, 1)...)
	}
	for i, ev := range gotLive {
		if ev.Ledger != uint64(3+i) {
			t.Fatalf("live subscriber's event %d is ledger %d", i, ev.Ledger)
		}
	}
	for i, ev := range gotResumed {
		if ev.Ledger != uint64(1+i) {
			t.Fatalf("resumed subscriber's event %d is ledger %d", i, ev.Ledger)
		}
	}

	cancel()
	takeNotified(t, liveSub, wakeLive, -1)
	takeNotified(t, resumed, wakeResumed, -1)
	if !errors.Is(liveSub.Err(), context.Canceled) || !errors.Is(resumed.Err(), context.Canceled) {
		t.Fatalf("Err = %v, %v; want context.Canceled", liveSub.Err(), resumed.Err())
	}
}

// TestNotifyAnnouncesTheSlowSubscriberCut: the cut closes the channel and
// says so through Notify.
func TestNotifyAnnouncesTheSlowSubscriberCut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.WithBuffer(2))
	s := e.subscribe(t.Context(), "t", live.Filter{}, "")
	notify, wake := notifier()
	s.Notify(notify)
	e.publish(match("t", "m", 1), match("t", "m", 2), match("t", "m", 3))
	if got := takeNotified(t, s, wake, -1); len(got) > 2 || !errors.Is(s.Err(), live.ErrSlowSubscriber) {
		t.Fatalf("took %d events, Err %v; want ≤ 2 and ErrSlowSubscriber", len(got), s.Err())
	}
}
