package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
)

func TestTaskIDsAreDeterministic(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p    Payload
		id   string
		q    string
		kind string
	}{
		{FetchBlock{Network: "stellar_mainnet", Ledger: 63092982}, "fetch-block:stellar_mainnet:63092982", "blocks", "fetch-block"},
		{EvaluateTenants{Network: "n", Ledger: 7, Batch: "b3", Tier: TierHigh}, "eval:n:7:b3", "eval-high", "evaluate-tenants"},
		{Deliver{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: "ab", Trigger: "hook", Tier: TierLow}, "deliver:t1:m:n:7:ab:hook", "notify-low", "deliver"},
	}
	for _, c := range cases {
		if got := c.p.TaskID(); got != c.id {
			t.Errorf("TaskID = %q, want %q", got, c.id)
		}
		if got := c.p.Queue(); got != c.q {
			t.Errorf("%s Queue = %q, want %q", c.id, got, c.q)
		}
		if got := c.p.Type(); got != c.kind {
			t.Errorf("%s Type = %q, want %q", c.id, got, c.kind)
		}
	}
}

func TestEnqueueTwiceIsAlreadyDone(t *testing.T) {
	t.Parallel()
	opts := testkit.Redis(t)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: opts.Addr, DB: opts.DB})
	defer client.Close()
	ctx := context.Background()
	p := FetchBlock{Network: "stellar_testnet", Ledger: 42}
	first, err := Enqueue(ctx, client, p)
	if err != nil || !first {
		t.Fatalf("first enqueue = %v, %v; want true, nil", first, err)
	}
	second, err := Enqueue(ctx, client, p)
	if err != nil || second {
		t.Fatalf("second enqueue = %v, %v; want false, nil (TaskID conflict is 'already done')", second, err)
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: opts.Addr, DB: opts.DB})
	defer insp.Close()
	info, err := insp.GetTaskInfo(QueueBlocks, p.TaskID())
	if err != nil {
		t.Fatalf("task not in queue %s: %v", QueueBlocks, err)
	}
	if info.MaxRetry != 8 || info.Timeout != 30*time.Second || info.Retention != 24*time.Hour {
		t.Fatalf("options = retry %d timeout %s retention %s", info.MaxRetry, info.Timeout, info.Retention)
	}
	var back FetchBlock
	if err := Decode(asynq.NewTask(info.Type, info.Payload), &back); err != nil {
		t.Fatal(err)
	}
	if back.Network != "stellar_testnet" || back.Ledger != 42 || back.V != payloadVersion {
		t.Fatalf("round trip = %+v", back)
	}
}

func TestDecodeRefusesUnknownVersionWithoutRetry(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"v":99,"network":"x"}`, `not json`, `{"v":1,"ledger":"abc"}`} {
		var p FetchBlock
		err := Decode(asynq.NewTask(TypeFetchBlock, []byte(body)), &p)
		if err == nil || !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("Decode(%s) = %v, want a SkipRetry error", body, err)
		}
		if err != nil && !strings.Contains(err.Error(), "fetch-block") {
			t.Errorf("error %q does not name the task type", err)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	for n := 0; n < 20; n++ {
		d := RetryDelay(n, errors.New("boom"), nil)
		if d < time.Second || d > 80*time.Second {
			t.Errorf("RetryDelay(%d) = %s, want seconds, capped near a minute", n, d)
		}
	}
	if d := RetryDelay(3, RetryIn(7*time.Second, errors.New("429")), nil); d != 8*time.Second {
		t.Errorf("RetryIn delay not honoured: %s", d)
	}
}

func TestQueuesAndTiers(t *testing.T) {
	t.Parallel()
	q := DefaultQueues()
	if len(q) != 9 || len(AllQueues()) != 9 {
		t.Fatalf("queues = %v", q)
	}
	if !(q["eval-critical"] > q["eval-high"] && q["eval-high"] > q["eval-default"] && q["eval-default"] > q["eval-low"] && q["eval-low"] > 0) {
		t.Fatalf("eval weights not descending by tier: %v", q)
	}
	if _, err := ParseTier("gold"); err == nil {
		t.Fatal("unknown tier accepted")
	}
	if tier, err := ParseTier(""); err != nil || tier != TierDefault {
		t.Fatalf("empty tier = %v %v", tier, err)
	}
}

func TestNotificationIDIsStableAndDistinct(t *testing.T) {
	a := Deliver{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: "h", Trigger: "x"}
	b := a
	b.Vars = map[string]string{"changed": "payload"} // payload is not identity
	if a.NotificationID() != b.NotificationID() {
		t.Fatalf("same TaskID, different ids: %s vs %s", a.NotificationID(), b.NotificationID())
	}
	c := a
	c.Trigger = "y"
	if a.NotificationID() == c.NotificationID() {
		t.Fatalf("different notifications share id %s", a.NotificationID())
	}
	if id := a.NotificationID(); len(id) != 36 || id[:4] != "ntf_" {
		t.Fatalf("id %q is not ntf_ and 32 hex digits", id)
	}
}

func TestDeferIsNotAFailure(t *testing.T) {
	base := errors.New("tenant busy")
	d := Defer(3*time.Second, base)
	if IsFailure(d) || !IsFailure(base) || IsFailure(nil) {
		t.Fatalf("IsFailure: defer %v, plain %v, nil %v", IsFailure(d), IsFailure(base), IsFailure(nil))
	}
	if got := RetryDelay(5, fmt.Errorf("deliver: %w", d), nil); got != 3*time.Second {
		t.Fatalf("deferred delay %s, want 3s (no extra second, no backoff)", got)
	}
	if !errors.Is(d, base) {
		t.Fatal("Defer hides its cause")
	}
}
