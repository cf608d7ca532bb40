package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

func TestTenantProblemsReplacedAndBounded(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	if tp, err := s.TenantProblems(ctx, a); err != nil || len(tp.Problems) != 0 || !tp.ReportedAt.IsZero() {
		t.Fatalf("before any report: %+v %v", tp, err)
	}
	long := strings.Repeat("x", 5000)
	err := s.ReplaceTenantProblems(ctx, a, []error{
		&store.ItemError{Tenant: "alpha", Table: "tenant_monitors", Name: "m", Err: errors.New("broken")},
		&store.ItemError{Tenant: "alpha", Table: "tenant_triggers", Name: "t", Err: errors.New(long)},
		fmt.Errorf("monitor %q: network not served", "n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := s.TenantProblems(ctx, a)
	if err != nil || len(tp.Problems) != 3 {
		t.Fatalf("problems %+v %v", tp, err)
	}
	want := []Problem{{Kind: "monitor", Name: "m", Message: "broken"}, {Kind: "trigger", Name: "t"}, {Kind: "tenant"}}
	for i, p := range tp.Problems {
		if p.Kind != want[i].Kind || p.Name != want[i].Name {
			t.Fatalf("problem %d = %+v, want %+v", i, p, want[i])
		}
	}
	if n := len(tp.Problems[1].Message); n > 2100 {
		t.Fatalf("a long message is stored at %d bytes", n)
	}
	// Another tenant's report is its own.
	if tp, _ := s.TenantProblems(ctx, b); len(tp.Problems) != 0 {
		t.Fatalf("beta sees %+v", tp)
	}
	many := make([]error, 1000)
	for i := range many {
		many[i] = fmt.Errorf("p%d", i)
	}
	if err := s.ReplaceTenantProblems(ctx, a, many); err != nil {
		t.Fatal(err)
	}
	if tp, _ := s.TenantProblems(ctx, a); len(tp.Problems) != maxProblems {
		t.Fatalf("%d problems stored, want at most %d", len(tp.Problems), maxProblems)
	}
	if err := s.ReplaceTenantProblems(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	if tp, _ := s.TenantProblems(ctx, a); len(tp.Problems) != 0 || tp.ReportedAt.IsZero() {
		t.Fatalf("after a clean load: %+v", tp)
	}
	if err := s.ReplaceTenantProblems(ctx, "x", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("malformed id: %v", err)
	}
	if err := s.ReplaceTenantProblems(ctx, "00000000-0000-0000-0000-000000000000", nil); err == nil {
		t.Fatal("unknown tenant: no error")
	}
}

func TestAuditLogRefusesForeignCursorsAndIDs(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	if _, err := s.AuditLog(ctx, "nope", "", 10); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("malformed tenant id: %v", err)
	}
	for _, c := range []string{"%%%", "bm90IGEgY3Vyc29y", encodeAuditCursor(time.Time{}, "not-a-uuid")} {
		if _, err := s.AuditLog(ctx, a, c, 10); err == nil || !strings.Contains(err.Error(), "cursor") {
			t.Fatalf("cursor %q: %v", c, err)
		}
	}
	if p, err := s.AuditLog(ctx, a, "", 0); err != nil || len(p.Entries) != 0 || p.Next != "" {
		t.Fatalf("empty log: %+v %v", p, err)
	}
}
