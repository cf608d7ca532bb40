package tenantconfig_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
	"github.com/ozmon/ozmon/tenants"
)

// Tenant A's callers can never read or touch tenant B, even where names
// are equal; they hear "not found", as for a tenant that does not exist.
func TestCrossTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, pa := e.tenant(t, "alpha")
	b, pb := e.tenant(t, "beta")
	e.seed(t, a, pa)
	e.seed(t, b, pb)
	for _, c := range []tenantconfig.Change{
		monitor("m9"), tenantconfig.DeleteMonitor{Name: "m0"}, tenantconfig.SetMonitorActive{Name: "m0"},
		trigger("t9"), tenantconfig.DeleteTrigger{Key: "t0"}, tenantconfig.SetTriggerActive{Key: "t0"},
		tenantconfig.Import{Files: map[string][]byte{"monitors/x.json": []byte(storetest.MonitorJSON("x", network, "amount > 1"))}},
	} {
		_, err := e.w.Apply(ctx, b, pa, c)
		refused(t, err, tenantconfig.CodeNotFound)
	}
	_, err := e.w.Apply(ctx, "00000000-0000-0000-0000-000000000000", auth.Principal{Operator: true}, monitor("m9"))
	refused(t, err, tenantconfig.CodeNotFound)
	_, err = e.w.Apply(ctx, "not-a-uuid", auth.Principal{Operator: true}, monitor("m9"))
	refused(t, err, tenantconfig.CodeNotFound)
	_, err = e.w.AuditLog(ctx, b, pa, "", 10)
	refused(t, err, tenantconfig.CodeNotFound)

	viewer := pa
	viewer.Role = auth.RoleViewer
	_, err = e.w.Apply(ctx, a, viewer, monitor("m9"))
	refused(t, err, tenantconfig.CodeForbidden)

	// A's changes to its own "m0" leave B's "m0" alone.
	e.apply(t, a, pa, monitor("m1", "t0"))
	e.apply(t, a, pa, tenantconfig.DeleteMonitor{Name: "m0"})
	e.apply(t, a, pa, tenantconfig.SetTriggerActive{Key: "t0", Active: true})
	cb, _ := e.w.Read(ctx, b)
	if len(cb.Monitors) != 1 || cb.Monitors[0].Name != "m0" || cb.Monitors[0].Paused || len(cb.Triggers) != 1 {
		t.Fatalf("tenant B after A's writes: %+v", cb)
	}
	page, _ := e.st.AuditLog(ctx, b, "", 100)
	if len(page.Entries) != 3 {
		t.Fatalf("B's audit log has %d rows, want its own 3", len(page.Entries))
	}
}

var hexDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestAuditRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	var keyID string
	if err := e.st.Pool().QueryRow(ctx, `INSERT INTO api_keys (tenant_id, name, key_hash) VALUES ($1, 'ci', 'x') RETURNING id::text`,
		id).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	key := auth.Principal{TenantID: id, Role: auth.RoleAdmin, KeyID: keyID}
	e.apply(t, id, p, monitor("m0"))
	put := trigger("t0")
	put.Meta = tenantconfig.Meta{IP: "192.0.2.7", UserAgent: "curl/8"}
	res := e.apply(t, id, key, put)
	e.apply(t, id, p, tenantconfig.SetMonitorActive{Name: "m0", Active: false})
	e.apply(t, id, auth.Principal{Operator: true}, tenantconfig.DeleteTrigger{Key: "t0"})

	page, err := e.w.AuditLog(ctx, id, key, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"trigger_deleted", "monitor_disabled", "trigger_created", "monitor_created"}
	if len(page.Entries) != len(want) || page.Next != "" {
		t.Fatalf("%d entries, next %q", len(page.Entries), page.Next)
	}
	for i, en := range page.Entries {
		if en.Action != want[i] || en.TenantID != id {
			t.Fatalf("entry %d: %+v, want %s", i, en, want[i])
		}
		if s := string(en.Changes); strings.Contains(s, "hooks.example.org") || strings.Contains(s, "Bearer") {
			t.Fatalf("entry %d leaks the trigger's secrets: %s", i, s)
		}
		var ch map[string]any
		if err := json.Unmarshal(en.Changes, &ch); err != nil {
			t.Fatal(err)
		}
		before, after := ch["before"], ch["after"]
		switch en.Action {
		case "trigger_deleted":
			if ch["actor"] != "operator" || en.UserID != "" || en.APIKeyID != "" || after != nil || !hexDigest.MatchString(before.(string)) {
				t.Fatalf("delete entry %+v, changes %s", en, en.Changes)
			}
		case "trigger_created":
			if ch["actor"] != "key:"+keyID || en.APIKeyID != keyID || en.UserID != "" || before != nil ||
				!hexDigest.MatchString(after.(string)) || en.IPAddress != "192.0.2.7" || en.UserAgent != "curl/8" ||
				en.ResourceID != res.ResourceID || en.ResourceType != "trigger" {
				t.Fatalf("create entry %+v, changes %s", en, en.Changes)
			}
		case "monitor_disabled":
			if en.UserID != p.UserID || before != after || ch["active"] != false {
				t.Fatalf("pause entry %+v, changes %s", en, en.Changes)
			}
		}
	}
	// The created and deleted trigger are the same JSON: same digest.
	var c0, c2 map[string]any
	_ = json.Unmarshal(page.Entries[0].Changes, &c0)
	_ = json.Unmarshal(page.Entries[2].Changes, &c2)
	if c0["before"] != c2["after"] {
		t.Fatalf("digests differ for the same trigger: %v vs %v", c0["before"], c2["after"])
	}

	// Pages of 3 then 1, nothing twice.
	p1, err := e.w.AuditLog(ctx, id, key, "", 3)
	if err != nil || len(p1.Entries) != 3 || p1.Next == "" {
		t.Fatalf("page 1: %d, %q, %v", len(p1.Entries), p1.Next, err)
	}
	p2, err := e.w.AuditLog(ctx, id, key, p1.Next, 3)
	if err != nil || len(p2.Entries) != 1 || p2.Next != "" || p2.Entries[0].Action != "monitor_created" {
		t.Fatalf("page 2: %+v, %v", p2, err)
	}
	if _, err := e.w.AuditLog(ctx, id, key, "garbage!", 3); err == nil || !strings.Contains(err.Error(), "cursor") {
		t.Fatalf("bad cursor: %v", err)
	}
	// Members write but do not read the log.
	_, err = e.w.AuditLog(ctx, id, p, "", 3)
	refused(t, err, tenantconfig.CodeForbidden)
}

// A write reaches the workers' watch within the NOTIFY path.
func TestApplyWakesWatchChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, p := e.tenant(t, "acme")
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan string, 100)
	done := make(chan error, 1)
	go func() { done <- e.st.WatchChanges(ctx, func(id string) { ch <- id }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchChanges: %v", err)
		}
	})
	// Keep writing until the watcher (which may still be connecting)
	// hears one; each write is a real change.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			_, _ = e.w.Apply(context.Background(), id, p, monitor("m0"))
			_, _ = e.w.Apply(context.Background(), id, p, tenantconfig.SetMonitorActive{Name: "m0", Active: i%2 == 0})
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	storetest.WaitChange(t, ch, id)
}

// The workers' registry records each load's problems where the API reads
// them, replacing the last report.
func TestWorkerProblemsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.seed(t, id, p)
	e.apply(t, id, p, monitor("m1"))
	e.setQuota(t, id, "max_monitors", 1)
	sink := func(ctx context.Context, tenantID string, problems []error) {
		if err := e.st.ReplaceTenantProblems(ctx, tenantID, problems); err != nil {
			t.Errorf("record: %v", err)
		}
	}
	reg := tenants.New(e.st, tenants.WithNetworks(network), tenants.WithProblemSink(sink))
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	tp, err := e.w.Problems(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Problems) != 1 || tp.Problems[0].Kind != "monitor" || tp.Problems[0].Name != "m1" ||
		!strings.Contains(tp.Problems[0].Message, "max_monitors is 1") || tp.ReportedAt.IsZero() {
		t.Fatalf("problems = %+v", tp)
	}
	// Fixed: the next load replaces the report with none.
	e.setQuota(t, id, "max_monitors", 5)
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if tp, _ = e.w.Problems(ctx, id); len(tp.Problems) != 0 {
		t.Fatalf("problems after fix = %+v", tp)
	}
	if _, err := e.w.Problems(ctx, "nope"); err == nil {
		t.Fatal("problems of a malformed tenant id: no error")
	}
}
