package notify

import (
	"testing"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

func TestBackoffNoJitter(t *testing.T) {
	t.Parallel()
	p := ozconfig.DefaultRetryPolicy()
	p.Jitter = ozconfig.JitterNone
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
		4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := Backoff(p, i); got != w {
			t.Errorf("attempt %d: %v, want %v", i, got, w)
		}
	}
	if got := Backoff(p, 10_000); got != 10*time.Second {
		t.Errorf("huge attempt: %v", got)
	}
	p.BaseForBackoff = 3
	p.InitialBackoff = time.Second
	p.MaxBackoff = 30 * time.Second
	for i, w := range []time.Duration{time.Second, 3 * time.Second, 9 * time.Second, 27 * time.Second, 30 * time.Second} {
		if got := Backoff(p, i); got != w {
			t.Errorf("base 3 attempt %d: %v, want %v", i, got, w)
		}
	}
}

func TestBackoffFullJitterStaysInBounds(t *testing.T) {
	t.Parallel()
	p := ozconfig.DefaultRetryPolicy() // full jitter, 250 ms – 10 s
	seen := map[time.Duration]bool{}
	for i := range 200 {
		attempt := i % 8
		d := Backoff(p, attempt)
		ceiling := min(250*time.Millisecond<<attempt, 10*time.Second)
		if d < 250*time.Millisecond || d > ceiling {
			t.Fatalf("attempt %d: %v outside [250ms, %v]", attempt, d, ceiling)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("jitter produced only %d distinct delays in 200 draws", len(seen))
	}
}

func TestRetryPolicyPerChannel(t *testing.T) {
	t.Parallel()
	email := ozconfig.DefaultRetryPolicy()
	email.BaseForBackoff = 5
	if got := RetryPolicy(&ozconfig.Trigger{Email: &ozconfig.EmailConfig{RetryPolicy: email}}); got.BaseForBackoff != 2 {
		t.Errorf("email base %d, want 2", got.BaseForBackoff)
	}
	hook := ozconfig.DefaultRetryPolicy()
	hook.MaxRetries = 7
	if got := RetryPolicy(&ozconfig.Trigger{Webhook: &ozconfig.WebhookConfig{RetryPolicy: hook}}); got.MaxRetries != 7 {
		t.Errorf("webhook max retries %d, want 7", got.MaxRetries)
	}
	if got := RetryPolicy(&ozconfig.Trigger{Script: &ozconfig.ScriptConfig{}}); got.MaxRetries != 0 {
		t.Errorf("script max retries %d, want 0", got.MaxRetries)
	}
}
