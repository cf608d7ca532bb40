package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

const (
	usageA = "0a0a0a0a-0000-4000-8000-00000000000a"
	usageB = "0b0b0b0b-0000-4000-8000-00000000000b"
)

func TestUsageAddsAndIsScopedByTenant(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	rows := []store.UsageHour{
		{TenantID: usageA, Hour: h, Ledgers: 2, Evaluations: 10, EvalCPUMicros: 300, Matches: 1, Delivered: 1},
		{TenantID: usageA, Hour: h.Add(time.Hour), Ledgers: 1, Failed: 2, Retried: 1, Archived: 1},
		{TenantID: usageB, Hour: h, Ledgers: 7},
	}
	for range 2 { // a second worker's identical flush adds up
		if err := s.AddUsage(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Usage(ctx, usageA, h.Add(30*time.Minute), h.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UsageHour{
		{TenantID: usageA, Hour: h, Ledgers: 4, Evaluations: 20, EvalCPUMicros: 600, Matches: 2, Delivered: 2},
		{TenantID: usageA, Hour: h.Add(time.Hour), Ledgers: 2, Failed: 4, Retried: 2, Archived: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("tenant A: %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if !got[i].Hour.Equal(want[i].Hour) {
			t.Errorf("row %d hour %s, want %s", i, got[i].Hour, want[i].Hour)
		}
		got[i].Hour = want[i].Hour
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// to is exclusive: the second hour is left out.
	if got, _ := s.Usage(ctx, usageA, h, h.Add(time.Hour)); len(got) != 1 {
		t.Errorf("[h, h+1h): %d rows, want 1", len(got))
	}
	got, err = s.Usage(ctx, usageB, h, h.Add(24*time.Hour))
	if err != nil || len(got) != 1 || got[0].Ledgers != 14 || got[0].TenantID != usageB {
		t.Errorf("tenant B sees %+v (%v), want only its own row with 14 ledgers", got, err)
	}
	if got, err := s.Usage(ctx, "0c0c0c0c-0000-4000-8000-00000000000c", h, h.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("a tenant without usage: %+v, %v", got, err)
	}
	if got, err := s.Usage(ctx, "not-a-uuid' OR true --", h, h.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("a malformed id: %+v, %v; want no rows", got, err)
	}
}

func TestUsageRefusesBadRanges(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for name, r := range map[string][2]time.Time{
		"reversed":     {h, h.Add(-time.Hour)},
		"empty":        {h, h},
		"over 31 days": {h, h.Add(store.MaxUsageRange + time.Hour)},
	} {
		_, err := s.Usage(context.Background(), usageA, r[0], r[1])
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "range") {
			t.Errorf("%s: err %v, want a range error wrapping ErrInvalid", name, err)
		}
	}
	if _, err := s.Usage(context.Background(), usageA, h, h.Add(store.MaxUsageRange)); err != nil {
		t.Errorf("exactly 31 days: %v", err)
	}
}

func TestAddUsageLeavesOutNonUUIDTenants(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	err := s.AddUsage(ctx, []store.UsageHour{{TenantID: "acme", Hour: h, Ledgers: 1}, {TenantID: usageA, Hour: h, Ledgers: 3}})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "1 rows left out") {
		t.Fatalf("err %v, want 1 row left out", err)
	}
	if got, _ := s.Usage(ctx, usageA, h, h.Add(time.Hour)); len(got) != 1 || got[0].Ledgers != 3 {
		t.Errorf("the valid row: %+v, want written", got)
	}
}
