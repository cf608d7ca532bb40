package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
)

// aliasedCreates is a mutation with n createMonitor fields, one per
// name, taking the monitors as variables m0…m(n-1).
func aliasedCreates(n int) (string, map[string]any) {
	var vars, fields strings.Builder
	args := map[string]any{}
	for i := range n {
		fmt.Fprintf(&vars, "$m%d: JSON!, ", i)
		fmt.Fprintf(&fields, "c%d: createMonitor(monitor: $m%d) { id } ", i, i)
		args[fmt.Sprintf("m%d", i)] = json.RawMessage(storetest.MonitorJSON(fmt.Sprintf("Cap %d", i), "stellar_testnet", "amount > 1", "ops_hook"))
	}
	return "mutation(" + strings.TrimSuffix(vars.String(), ", ") + ") { " + fields.String() + "}", args
}

// TestTooManyMutations: an operation with more mutation fields than the
// cap — as aliases or through fragments — is refused whole, before any
// write; one at the cap is carried out.
func TestTooManyMutations(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil, WithMaxMutations(3))
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	ctx := context.Background()
	rows := func() (monitors, audits int) {
		t.Helper()
		if err := e.st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM tenant_monitors WHERE tenant_id = $1), (SELECT count(*) FROM audit_logs WHERE tenant_id = $1)`, e.a).Scan(&monitors, &audits); err != nil {
			t.Fatal(err)
		}
		return monitors, audits
	}
	m0, a0 := rows()

	q, vars := aliasedCreates(4)
	r := e.query(t, member, q, vars)
	if r.code() != CodeTooManyMutations || r.Errors[0].Extensions["mutations"] != float64(4) || r.Errors[0].Extensions["limit"] != float64(3) ||
		!strings.Contains(r.Errors[0].Message, "4 mutation fields") || len(r.Data) > 0 && string(r.Data) != "null" {
		t.Fatalf("4 creates with a cap of 3: %s %+v", r.Data, r.Errors)
	}
	// Fragments and inline fragments count their fields; __typename is
	// not a write.
	frag := `mutation { __typename ...F ... on Mutation { c: deleteMonitor(id: "x") d: deleteMonitor(id: "y") } } fragment F on Mutation { a: deleteMonitor(id: "x") b: deleteMonitor(id: "y") }`
	if r := e.query(t, member, frag, nil); r.code() != CodeTooManyMutations || r.Errors[0].Extensions["mutations"] != float64(4) {
		t.Fatalf("4 deletes through fragments: %+v", r.Errors)
	}
	if m, a := rows(); m != m0 || a != a0 {
		t.Fatalf("a refused operation wrote: monitors %d→%d, audit rows %d→%d", m0, m, a0, a)
	}

	// At the cap: every create is carried out.
	q, vars = aliasedCreates(3)
	if r := e.query(t, member, q, vars); len(r.Errors) > 0 {
		t.Fatalf("3 creates with a cap of 3: %+v", r.Errors)
	}
	if m, _ := rows(); m != m0+3 {
		t.Fatalf("monitors %d after 3 creates, want %d", m, m0+3)
	}
	// Queries are not capped however many fields they hold.
	if r := e.query(t, member, `{ a: me { actor } b: me { actor } c: me { actor } d: me { actor } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("a query with 4 fields: %+v", r.Errors)
	}
}

// TestMutationsCountAgainstRateLimit: each mutation field of a request is
// one call against max_rpc_requests_per_minute, over HTTP and over
// WebSocket alike.
func TestMutationsCountAgainstRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.st.Pool().Exec(context.Background(), `UPDATE tenants SET max_rpc_requests_per_minute = 5 WHERE id = $1`, e.a); err != nil {
		t.Fatalf("set quota: %v", err)
	}
	// Three deletes of monitors that do not exist: three calls (their
	// NOT_FOUND answers are not refusals by the limit).
	r := e.query(t, "a-owner", `mutation { a: deleteMonitor(id: "x") b: deleteMonitor(id: "y") c: deleteMonitor(id: "z") }`, nil)
	if r.code() == CodeRateLimited {
		t.Fatalf("3 mutations within a limit of 5: %+v", r.Errors)
	}
	// Two of the five calls are left: a request of three mutations is
	// refused whole, as RATE_LIMITED with a hint.
	r = e.query(t, "a-owner", `mutation { a: deleteMonitor(id: "x") b: deleteMonitor(id: "y") c: deleteMonitor(id: "z") }`, nil)
	if r.code() != CodeRateLimited || r.Errors[0].Extensions["retryAfterSeconds"] == nil {
		t.Fatalf("3 more mutations with 2 calls left: %d %+v", r.status, r.Errors)
	}
	// The refused request spent its own call (the guard's): one is left.
	if r := e.query(t, "a-owner", `{ me { actor } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("the last call within the limit: %+v", r.Errors)
	}
	if r := e.query(t, "a-owner", `{ me { actor } }`, nil); r.status != http.StatusTooManyRequests || r.code() != CodeRateLimited {
		t.Fatalf("a call over the limit: %d %+v", r.status, r.Errors)
	}
	if r := e.query(t, "b-owner", `mutation { a: deleteMonitor(id: "x") b: deleteMonitor(id: "y") c: deleteMonitor(id: "z") }`, nil); r.code() == CodeRateLimited {
		t.Fatalf("tenant B limited by A's calls: %+v", r.Errors)
	}
}
