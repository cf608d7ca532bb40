package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

// Problem is one thing a worker hit loading a tenant: an item skipped, a
// quota trimmed. Kind is network, monitor, trigger or tenant.
type Problem struct {
	Kind    string `json:"kind"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
}

// TenantProblems is what the last load of a tenant reported.
type TenantProblems struct {
	Problems   []Problem
	ReportedAt time.Time // zero: no worker reported yet
}

// maxProblems bounds what one report stores: a tenant with a thousand
// broken items costs a bounded row.
const maxProblems = 200

// ReplaceTenantProblems records problems as the tenant's current ones,
// replacing the previous report (none: the tenant loaded cleanly). Workers
// loading one tenant at once each write the same row; the last one wins.
func (s *Store) ReplaceTenantProblems(ctx context.Context, tenantID string, problems []error) error {
	if !validUUID(tenantID) {
		return fmt.Errorf("postgres: record problems of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	out := make([]Problem, 0, min(len(problems), maxProblems))
	for _, p := range problems[:min(len(problems), maxProblems)] {
		out = append(out, asProblem(p))
	}
	data, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("postgres: record problems of tenant %s: %w", tenantID, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO ozmon_tenant_problems (tenant_id, problems) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET problems = EXCLUDED.problems, reported_at = NOW()`, tenantID, string(data))
	if err != nil {
		return fmt.Errorf("postgres: record problems of tenant %s: %w", tenantID, err)
	}
	return nil
}

// TenantProblems returns the tenant's last reported problems.
func (s *Store) TenantProblems(ctx context.Context, tenantID string) (TenantProblems, error) {
	if !validUUID(tenantID) {
		return TenantProblems{}, fmt.Errorf("postgres: problems of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	var tp TenantProblems
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT problems, reported_at FROM ozmon_tenant_problems WHERE tenant_id = $1`,
		tenantID).Scan(&data, &tp.ReportedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return TenantProblems{}, nil
	}
	if err != nil {
		return TenantProblems{}, fmt.Errorf("postgres: problems of tenant %s: %w", tenantID, err)
	}
	if err := json.Unmarshal(data, &tp.Problems); err != nil {
		return TenantProblems{}, fmt.Errorf("postgres: problems of tenant %s: %w", tenantID, err)
	}
	return tp, nil
}

// asProblem names the item an error is about when it says so.
func asProblem(err error) Problem {
	var ie *store.ItemError
	if errors.As(err, &ie) {
		kind := map[string]string{tableNetworks: "network", "tenant_monitors": "monitor", tableTriggers: "trigger"}[ie.Table]
		if kind == "" {
			kind = "tenant"
		}
		return Problem{Kind: kind, Name: clipText(ie.Name), Message: clipMessage(ie.Err.Error())}
	}
	return Problem{Kind: "tenant", Message: clipMessage(err.Error())}
}

// clipMessage bounds one problem's text.
func clipMessage(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
