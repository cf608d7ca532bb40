package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
)

// TestAPIKeys: an admin creates a key (the secret only in that answer),
// lists keys without secrets, the new key works, revocation bites within
// the key cache TTL; a member may not manage keys; another tenant's key
// id is not found; an expired key is refused saying so.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, []auth.Option{auth.WithCacheTTL(200 * time.Millisecond), auth.WithNegativeTTL(50 * time.Millisecond)})
	admin, _ := e.key(t, e.a, auth.RoleAdmin, time.Time{})
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	otherAdmin, _ := e.key(t, e.b, auth.RoleAdmin, time.Time{})

	r := e.query(t, admin, `mutation { createApiKey(name: "ci", role: VIEWER) { secret key { id name prefix role revoked } } }`, nil)
	created := decode[struct {
		CreateAPIKey struct {
			Secret string
			Key    struct {
				ID, Name, Prefix, Role string
				Revoked                bool
			}
		} `json:"createApiKey"`
	}](t, r).CreateAPIKey
	if !strings.HasPrefix(created.Secret, "smt_") || created.Key.Role != "VIEWER" || !strings.HasPrefix(created.Secret, created.Key.Prefix) || created.Key.Revoked {
		t.Fatalf("created = %+v", created)
	}
	list := e.query(t, admin, `{ apiKeys { id name prefix role revoked lastUsedAt } }`, nil)
	if len(list.Errors) > 0 || strings.Contains(string(list.Data), created.Secret[len(created.Key.Prefix):]) || !strings.Contains(string(list.Data), created.Key.ID) {
		t.Fatalf("apiKeys: %s %+v", list.Data, list.Errors)
	}
	if r := e.query(t, created.Secret, `{ me { role tenantSlug } }`, nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "VIEWER") {
		t.Fatalf("new key: %s %+v", r.Data, r.Errors)
	}
	for _, q := range []string{`{ apiKeys { id } }`, `mutation { createApiKey(name: "x", role: VIEWER) { secret } }`, `{ auditLog { nodes { id } } }`} {
		if r := e.query(t, member, q, nil); r.code() != CodeForbidden {
			t.Errorf("member %s: %+v", q, r.Errors)
		}
	}
	if r := e.query(t, admin, `mutation { createApiKey(name: "x", role: OWNER) { secret } }`, nil); r.code() != CodeBadInput {
		t.Fatalf("owner key: %+v", r.Errors)
	}
	if r := e.query(t, admin, `mutation { createApiKey(name: "x", role: VIEWER, expiresAt: "2001-01-01T00:00:00Z") { secret } }`, nil); r.code() != CodeBadInput {
		t.Fatalf("expiry in the past: %+v", r.Errors)
	}
	// Tenant B cannot revoke A's key: not found, and the key still works.
	if r := e.query(t, otherAdmin, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, map[string]any{"id": created.Key.ID}); r.code() != CodeNotFound {
		t.Fatalf("B revokes A's key: %+v", r.Errors)
	}
	rv := e.query(t, admin, `mutation($id: ID!) { revokeApiKey(id: $id) { id revoked } }`, map[string]any{"id": created.Key.ID})
	if len(rv.Errors) > 0 || !strings.Contains(string(rv.Data), `"revoked":true`) {
		t.Fatalf("revoke: %s %+v", rv.Data, rv.Errors)
	}
	var last gqlResponse
	testkit.WaitUntil(t, 10*time.Second, "the revoked key is refused", func() bool {
		last = e.query(t, created.Secret, `{ me { role } }`, nil)
		return last.code() == CodeUnauthenticated
	})
	if last.status != http.StatusUnauthorized || !strings.Contains(last.Errors[0].Message, "revoked") {
		t.Fatalf("revoked key: %d %+v", last.status, last.Errors)
	}

	expired, _ := e.key(t, e.a, auth.RoleAdmin, time.Now().Add(-time.Minute))
	if r := e.query(t, expired, `{ me { role } }`, nil); r.code() != CodeUnauthenticated || !strings.Contains(r.Errors[0].Message, "expired") {
		t.Fatalf("expired key: %+v", r.Errors)
	}
}

// TestLoginAndSessions: login returns a session whose role is the
// membership's; a wrong password and an unknown tenant are refused with
// clear errors; without a JWT secret login says it is off.
func TestLoginAndSessions(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	tok := e.owner(t, e.a, "acme", "owner@acme.example")
	if r := e.query(t, tok, `{ me { actor role tenantSlug } apiKeys { id } }`, nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"role":"OWNER"`) {
		t.Fatalf("session: %s %+v", r.Data, r.Errors)
	}
	login := `mutation($p: String!, $t: String!) { login(email: "owner@acme.example", password: $p, tenant: $t) { token } }`
	if r := e.query(t, "", login, map[string]any{"p": "wrong password!", "t": "acme"}); r.code() != CodeUnauthenticated || !strings.Contains(r.Errors[0].Message, "wrong e-mail or password") {
		t.Fatalf("wrong password: %+v", r.Errors)
	}
	if r := e.query(t, "", login, map[string]any{"p": "correct horse battery", "t": "bravo"}); r.code() != CodeUnauthenticated || !strings.Contains(r.Errors[0].Message, "not a member") {
		t.Fatalf("other tenant: %+v", r.Errors)
	}
	// The session reaches tenant A only.
	if r := e.query(t, tok, `{ tenant { slug } }`, nil); !strings.Contains(string(r.Data), "acme") {
		t.Fatalf("session tenant: %s", r.Data)
	}

	off := newAuthEnv(t, []auth.Option{auth.WithJWTSecret("")})
	if r := off.query(t, "", login, map[string]any{"p": "correct horse battery", "t": "acme"}); r.code() != CodeUnauthenticated || !strings.Contains(r.Errors[0].Message, "api.jwt_secret") {
		t.Fatalf("login without a JWT secret: %+v", r.Errors)
	}
}

// TestUsageQuery: the caller's own hourly usage only; a bad range is the
// caller's error.
func TestUsageQuery(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	viewer, _ := e.key(t, e.a, auth.RoleViewer, time.Time{})
	hour := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	if err := e.st.AddUsage(context.Background(), []store.UsageHour{
		{TenantID: e.a, Hour: hour, Ledgers: 5, Evaluations: 40, EvalCPUMicros: 2500, Matches: 3, Delivered: 2, Failed: 1},
		{TenantID: e.b, Hour: hour, Ledgers: 99, Matches: 99},
	}); err != nil {
		t.Fatal(err)
	}
	q := `query($f: Time!, $t: Time!) { usage(from: $f, to: $t) { hour ledgersEvaluated candidateEvaluations evaluationCpuMs matches deliveriesDelivered deliveriesFailed } }`
	u := decode[struct {
		Usage []struct {
			LedgersEvaluated, CandidateEvaluations, Matches, DeliveriesDelivered, DeliveriesFailed int
			EvaluationCPUMs                                                                        float64 `json:"evaluationCpuMs"`
		}
	}](t, e.query(t, viewer, q, map[string]any{"f": hour.Add(-time.Hour), "t": hour.Add(time.Hour)}))
	if len(u.Usage) != 1 || u.Usage[0].LedgersEvaluated != 5 || u.Usage[0].Matches != 3 || u.Usage[0].EvaluationCPUMs != 2.5 || u.Usage[0].DeliveriesFailed != 1 {
		t.Fatalf("usage = %+v", u.Usage)
	}
	for _, rng := range [][2]time.Time{{hour, hour}, {hour.Add(-60 * 24 * time.Hour), hour}} {
		if r := e.query(t, viewer, q, map[string]any{"f": rng[0], "t": rng[1]}); r.code() != CodeBadInput {
			t.Errorf("range %v: %+v", rng, r.Errors)
		}
	}
}

// TestAuditLogPaging: owners page through the log; a forged cursor is
// the caller's error.
func TestAuditLogPaging(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	tok := e.owner(t, e.a, "acme", "o@acme.example")
	for _, q := range []string{`mutation { pauseMonitor(id: "Small swaps") { id } }`, `mutation { resumeMonitor(id: "Small swaps") { id } }`, `mutation { pauseMonitor(id: "Small swaps") { id } }`} {
		if r := e.query(t, tok, q, nil); len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", q, r.Errors)
		}
	}
	type page struct {
		AuditLog struct {
			Nodes    []struct{ Actor, Action string }
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	q := `query($a: String) { auditLog(first: 2, after: $a) { nodes { actor action } pageInfo { endCursor hasNextPage } } }`
	p1 := decode[page](t, e.query(t, tok, q, nil))
	if len(p1.AuditLog.Nodes) != 2 || !p1.AuditLog.PageInfo.HasNextPage || !strings.HasPrefix(p1.AuditLog.Nodes[0].Actor, "user:") {
		t.Fatalf("page 1 = %+v", p1)
	}
	p2 := decode[page](t, e.query(t, tok, q, map[string]any{"a": *p1.AuditLog.PageInfo.EndCursor}))
	// The fixture's import by the operator is the oldest.
	if len(p2.AuditLog.Nodes) != 2 || p2.AuditLog.PageInfo.HasNextPage || p2.AuditLog.Nodes[0].Action != "monitor_disabled" ||
		p2.AuditLog.Nodes[1].Actor != "operator" {
		t.Fatalf("page 2 = %+v", p2)
	}
	if r := e.query(t, tok, q, map[string]any{"a": "forged"}); r.code() != CodeBadInput {
		t.Fatalf("forged cursor: %+v", r.Errors)
	}
	if r := e.query(t, tok, `{ auditLog(first: 0) { nodes { id } } }`, nil); r.code() != CodeBadInput {
		t.Fatalf("first 0: %+v", r.Errors)
	}
}

// TestTenantAdministration: the operator creates and changes tenants; a
// tenant's admin may not; bad input and unknown tenants are named.
func TestTenantAdministration(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	admin, _ := e.key(t, e.a, auth.RoleAdmin, time.Time{})
	r := e.query(t, testOperatorToken, `mutation { createTenant(input: {slug: "charlie", name: "Charlie Ltd", tier: HIGH}) { id slug tier active } }`, nil)
	ct := decode[struct {
		CreateTenant struct{ ID, Slug, Tier string }
	}](t, r).CreateTenant
	if ct.Slug != "charlie" || ct.Tier != "HIGH" {
		t.Fatalf("created = %+v", ct)
	}
	st := e.query(t, testOperatorToken, `mutation($id: ID!) { setTenant(id: $id, input: {maxMonitors: 3, tier: LOW, active: false}) { tier active quotas { maxMonitors } } }`, map[string]any{"id": ct.ID})
	if len(st.Errors) > 0 || !strings.Contains(string(st.Data), `"maxMonitors":3`) || !strings.Contains(string(st.Data), `"active":false`) || !strings.Contains(string(st.Data), "LOW") {
		t.Fatalf("setTenant: %s %+v", st.Data, st.Errors)
	}
	for _, c := range []struct{ q, code string }{
		{`mutation { createTenant(input: {slug: "charlie", name: "again"}) { id } }`, CodeBadInput},
		{`mutation { createTenant(input: {slug: "-bad", name: "x"}) { id } }`, CodeBadInput},
		{`mutation { setTenant(id: "00000000-0000-0000-0000-000000000000", input: {name: "x"}) { id } }`, CodeNotFound},
		{`mutation { setTenant(id: "not-a-uuid", input: {name: "x"}) { id } }`, CodeNotFound},
		{`mutation { setTenant(id: "00000000-0000-0000-0000-000000000000", input: {maxMonitors: -1}) { id } }`, CodeBadInput},
	} {
		if r := e.query(t, testOperatorToken, c.q, nil); r.code() != c.code {
			t.Errorf("%s: %+v, want %s", c.q, r.Errors, c.code)
		}
	}
	if r := e.query(t, admin, `mutation($id: ID!) { setTenant(id: $id, input: {maxMonitors: 1000}) { id } }`, map[string]any{"id": e.a}); r.code() != CodeForbidden {
		t.Fatalf("tenant admin raises its quota: %+v", r.Errors)
	}
	var d struct {
		Tenant struct{ Quotas struct{ MaxMonitors int } }
	}
	_ = json.Unmarshal(e.query(t, admin, `{ tenant { quotas { maxMonitors } } }`, nil).Data, &d)
	if d.Tenant.Quotas.MaxMonitors != 10 {
		t.Fatalf("quota changed by a refused call: %+v", d)
	}
}
