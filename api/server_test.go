package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store"
)

const deliveriesQuery = `query($f: DeliveryFilter, $first: Int, $after: String) {
  deliveries(filter: $f, first: $first, after: $after) {
    nodes { monitor ledger txHash trigger status }
    pageInfo { endCursor hasNextPage }
  }
}`

type deliveriesData struct {
	Deliveries struct {
		Nodes []struct {
			Monitor string
			Ledger  int
			TxHash  string
			Status  string
		}
		PageInfo struct {
			EndCursor   *string
			HasNextPage bool
		}
	}
}

// TestTenantAndMe: the caller's tenant and identity come from its
// credential.
func TestTenantAndMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.query(t, "a-viewer", `{ tenant { id slug tier quotas { maxMonitors maxRpcRequestsPerMinute } } me { actor role tenantSlug operator } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var d struct {
		Tenant struct {
			ID, Slug, Tier string
			Quotas         struct{ MaxMonitors, MaxRpcRequestsPerMinute int }
		}
		Me struct {
			Actor, Role, TenantSlug string
			Operator                bool
		}
	}
	_ = json.Unmarshal(r.Data, &d)
	if d.Tenant.ID != e.a || d.Tenant.Slug != "acme" || d.Tenant.Tier != "DEFAULT" || d.Tenant.Quotas.MaxMonitors != 10 {
		t.Fatalf("tenant = %+v", d.Tenant)
	}
	if d.Me.Actor != "user:ua" || d.Me.Role != "VIEWER" || d.Me.TenantSlug != "acme" || d.Me.Operator {
		t.Fatalf("me = %+v", d.Me)
	}
}

// TestDeliveriesPagesAndIsolates: a tenant pages through its own
// deliveries only; filters narrow them; another tenant's cursor is refused.
func TestDeliveriesPagesAndIsolates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.deliveries(t, e.a, 25)
	e.deliveries(t, e.b, 7)
	seen := map[string]bool{}
	var after any
	for page := 0; ; page++ {
		r := e.query(t, "a-owner", deliveriesQuery, map[string]any{"first": 10, "after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("page %d: %+v", page, r.Errors)
		}
		var d deliveriesData
		_ = json.Unmarshal(r.Data, &d)
		for _, n := range d.Deliveries.Nodes {
			if seen[n.TxHash] {
				t.Fatalf("delivery %s seen twice", n.TxHash)
			}
			seen[n.TxHash] = true
		}
		if !d.Deliveries.PageInfo.HasNextPage {
			break
		}
		after = *d.Deliveries.PageInfo.EndCursor
	}
	if len(seen) != 25 {
		t.Fatalf("tenant A saw %d deliveries, want its 25", len(seen))
	}
	// Tenant B sees its 7 only.
	r := e.query(t, "b-owner", deliveriesQuery, map[string]any{"first": 50})
	var d deliveriesData
	_ = json.Unmarshal(r.Data, &d)
	if len(d.Deliveries.Nodes) != 7 {
		t.Fatalf("tenant B saw %d deliveries, want 7", len(d.Deliveries.Nodes))
	}
	// A's cursor handed to B names A's tenant: refused, nothing of A's shown.
	r = e.query(t, "a-owner", deliveriesQuery, map[string]any{"first": 1})
	_ = json.Unmarshal(r.Data, &d)
	r = e.query(t, "b-owner", deliveriesQuery, map[string]any{"first": 5, "after": *d.Deliveries.PageInfo.EndCursor})
	if r.code() != CodeBadInput || strings.Contains(string(r.Data), "tx0") {
		t.Fatalf("B with A's cursor: %+v %s", r.Errors, r.Data)
	}
	// Filters.
	r = e.query(t, "a-owner", deliveriesQuery, map[string]any{"first": 50, "f": map[string]any{"monitor": "m1", "status": "PENDING"}})
	_ = json.Unmarshal(r.Data, &d)
	if len(d.Deliveries.Nodes) != 8 {
		t.Fatalf("monitor m1 pending: %d deliveries, want 8", len(d.Deliveries.Nodes))
	}
	for _, n := range d.Deliveries.Nodes {
		if n.Monitor != "m1" || n.Status != "PENDING" {
			t.Fatalf("filter let through %+v", n)
		}
	}
	// Bad paging input.
	for _, vars := range []map[string]any{{"first": 0}, {"first": -1}, {"after": "!!"}, {"f": map[string]any{"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}}} {
		if r := e.query(t, "a-owner", deliveriesQuery, vars); r.code() != CodeBadInput {
			t.Errorf("vars %v: code %q (%+v), want BAD_USER_INPUT", vars, r.code(), r.Errors)
		}
	}
}

// TestRetryDeliveriesScopedToTenant: retryDeliveries considers only the
// caller's records (B's pending ones are never touched or reported), and a
// viewer may not retry.
func TestRetryDeliveriesScopedToTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.deliveries(t, e.a, 3)
	e.deliveries(t, e.b, 4)
	q := `mutation { retryDeliveries(force: false) { requeued failed truncated skipped { monitor reason } } }`
	r := e.query(t, "a-owner", q, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("retry: %+v", r.Errors)
	}
	var d struct {
		RetryDeliveries struct {
			Requeued, Failed int
			Skipped          []struct{ Monitor, Reason string }
		}
	}
	_ = json.Unmarshal(r.Data, &d)
	// Pending records have no task in Redis: each is skipped as not found.
	if d.RetryDeliveries.Requeued != 0 || len(d.RetryDeliveries.Skipped) != 3 || d.RetryDeliveries.Skipped[0].Reason != "not found" {
		t.Fatalf("retry = %+v", d.RetryDeliveries)
	}
	if r := e.query(t, "a-viewer", q, nil); r.code() != CodeForbidden {
		t.Fatalf("viewer retry: %+v", r.Errors)
	}
}

// TestBadRequests: each bad request gets a clear error and a fitting
// status, and nothing runs.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBodyLimit(4096), WithDepthLimit(4), WithComplexityLimit(300))
	cases := []struct {
		name, token string
		body        string
		status      int
		code, msg   string
	}{
		{"no token", "", `{"query":"{ tenant { id } }"}`, http.StatusUnauthorized, CodeUnauthenticated, "missing Authorization"},
		{"unknown token", "nope", `{"query":"{ tenant { id } }"}`, http.StatusUnauthorized, CodeUnauthenticated, "refused: unknown token"},
		{"malformed JSON", "a-owner", `{"query":`, http.StatusBadRequest, CodeBadInput, "not valid JSON"},
		{"malformed JSON, no token", "", `{"query":`, http.StatusBadRequest, CodeBadInput, "not valid JSON"},
		{"not a request object", "a-owner", `[1,2]`, http.StatusBadRequest, "", "json"},
		{"body over limit", "a-owner", `{"query":"{ tenant { id } }","x":"` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge, CodeBadInput, "api.body_limit"},
		{"unknown field", "a-owner", `{"query":"{ tenant { id secret } }"}`, http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "Cannot query field \"secret\""},
		{"too complex", "a-owner", `{"query":"{ deliveries(first: 100) { nodes { monitor ledger txHash } } }"}`, http.StatusOK, CodeTooComplex, "api.complexity_limit"},
		{"introspection off", "a-owner", `{"query":"{ __schema { types { name } } }"}`, http.StatusOK, CodeIntrospectionOff, "api.introspection"},
	}
	for _, c := range cases {
		r := e.postRaw(t, c.token, []byte(c.body))
		msg := ""
		if len(r.Errors) > 0 {
			msg = r.Errors[0].Message
		}
		if r.status != c.status || (c.code != "" && r.code() != c.code) || !strings.Contains(strings.ToLower(msg), strings.ToLower(c.msg)) {
			t.Errorf("%s: status %d code %q message %q; want %d %q containing %q", c.name, r.status, r.code(), msg, c.status, c.code, c.msg)
		}
		if len(r.Data) > 0 && string(r.Data) != "null" {
			t.Errorf("%s: data %s, want none", c.name, r.Data)
		}
	}
	// Depth: 5 levels against a limit of 4, refused before execution.
	deep := `{"query":"query { deliveries { nodes { monitor } pageInfo { endCursor } } tenant { quotas { maxMonitors } } } "}`
	if r := e.postRaw(t, "a-owner", []byte(deep)); len(r.Errors) > 0 {
		t.Fatalf("3 levels refused: %+v", r.Errors)
	}
	if r := e.query(t, "a-owner", `{ tenant { quotas { maxMonitors } } me { actor } deliveries { nodes { monitor } } networks { status { problems } } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("within depth refused: %+v", r.Errors)
	}
	e2 := newEnv(t, WithDepthLimit(2))
	if r := e2.query(t, "a-owner", `{ tenant { quotas { maxMonitors } } }`, nil); r.code() != CodeTooDeep || !strings.Contains(r.Errors[0].Message, "api.depth_limit is 2") {
		t.Fatalf("too deep: %+v", r.Errors)
	}
}

// TestRolesAndTenantlessCallers: a viewer cannot write; the operator is
// in no tenant; a tenant caller may not use operator mutations; login
// without a Loginer says password login is off.
func TestRolesAndTenantlessCallers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ token, q, code string }{
		{"a-viewer", `mutation { createMonitor(monitor: {name: "x"}) { id } }`, CodeForbidden},
		{"a-viewer", `{ auditLog { nodes { id } } }`, CodeForbidden},
		{"a-owner", `mutation { createMonitor(monitor: {name: "x"}) { id } }`, CodeValidationFailed},
		{"a-owner", `mutation { createTenant(input: {slug: "x", name: "x"}) { id } }`, CodeForbidden},
		{"operator", `{ tenant { id } }`, CodeNotFound},
		{"operator", `mutation { createTenant(input: {slug: "Not A Slug", name: "x"}) { id } }`, CodeBadInput},
	} {
		if r := e.query(t, c.token, c.q, nil); r.code() != c.code {
			t.Errorf("%s %s: code %q (%+v), want %s", c.token, c.q, r.code(), r.Errors, c.code)
		}
	}
	// login is the one operation open without a credential.
	if r := e.query(t, "", `mutation { login(email: "a@b.c", password: "x", tenant: "acme") { token } }`, nil); r.code() != CodeUnauthenticated || r.status != http.StatusOK ||
		!strings.Contains(r.Errors[0].Message, "password login is off") {
		t.Fatalf("login without credential: %d %+v", r.status, r.Errors)
	}
	if r := e.query(t, "", `mutation { login(email: "a@b.c", password: "x", tenant: "acme") { token } retryDeliveries { requeued } }`, nil); r.code() != CodeUnauthenticated {
		t.Fatalf("login smuggling another field: %+v", r.Errors)
	}
}

// TestRateLimit: a tenant over max_rpc_requests_per_minute is refused with
// RATE_LIMITED, a Retry-After header and hint; another tenant is not.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.st.Pool().Exec(ctx, `UPDATE tenants SET max_rpc_requests_per_minute = 3 WHERE id = $1`, e.a); err != nil {
		t.Fatalf("set quota: %v", err)
	}
	for i := range 3 {
		if r := e.query(t, "a-owner", `{ me { actor } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("request %d within the limit: %+v", i, r.Errors)
		}
	}
	r := e.query(t, "a-owner", `{ me { actor } }`, nil)
	if r.status != http.StatusTooManyRequests || r.code() != CodeRateLimited || r.header.Get("Retry-After") == "" || r.Errors[0].Extensions["retryAfterSeconds"] == nil {
		t.Fatalf("4th request: %d %v %+v", r.status, r.header, r.Errors)
	}
	if r := e.query(t, "b-owner", `{ me { actor } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("tenant B limited by A's calls: %+v", r.Errors)
	}
}

var _ = store.ErrNotFound

// TestGetQueries: GET serves queries and refuses mutations.
func TestGetQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := func(q string) gqlResponse {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer a-owner")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out gqlResponse
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	if r := get(`{ me { actor } }`); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "key:ka") {
		t.Fatalf("GET query: %s %+v", r.Data, r.Errors)
	}
	if r := get(`mutation { retryDeliveries { requeued } }`); len(r.Errors) == 0 {
		t.Fatalf("GET mutation ran: %s", r.Data)
	}
}

// TestIntrospectionSwitchAndFragmentDepth: with api.introspection on the
// schema is served; depth counts through fragments.
func TestIntrospectionSwitchAndFragmentDepth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithIntrospection(true), WithDepthLimit(3))
	r := e.query(t, "a-viewer", `{ __type(name: "Delivery") { name } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Delivery"`) {
		t.Fatalf("introspection on: %s %+v", r.Data, r.Errors)
	}
	q := `{ ...T } fragment T on Query { tenant { ...Q } } fragment Q on Tenant { quotas { ...M } } fragment M on Quotas { maxMonitors }`
	if r := e.query(t, "a-viewer", q, nil); len(r.Errors) > 0 {
		t.Fatalf("3 levels through fragments refused: %+v", r.Errors)
	}
	q = `{ ...T } fragment T on Query { deliveries { ...C } } fragment C on DeliveryConnection { pageInfo { endCursor } nodes { monitor } }`
	if r := e.query(t, "a-viewer", q, nil); len(r.Errors) > 0 {
		t.Fatalf("3 levels refused: %+v", r.Errors)
	}
	e2 := newEnv(t, WithDepthLimit(2))
	r = e2.query(t, "a-viewer", `{ ...T } fragment T on Query { tenant { ...Q } } fragment Q on Tenant { quotas { maxMonitors } }`, nil)
	if r.code() != CodeTooDeep {
		t.Fatalf("3 levels through fragments against 2: %+v", r.Errors)
	}
}

// TestCORS: an allowed origin gets its preflight answered and its origin
// echoed; another is refused before anything runs.
func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithAllowedOrigins("https://app.example"))
	req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	body, _ := json.Marshal(map[string]any{"query": `{ me { actor } }`})
	if r := e.postRaw(t, "a-owner", body, "Origin", "https://evil.example"); r.status != http.StatusForbidden || r.code() != CodeForbidden {
		t.Fatalf("foreign origin: %d %+v", r.status, r.Errors)
	}
	if r := e.postRaw(t, "a-owner", body, "Origin", "https://app.example"); len(r.Errors) > 0 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("allowed origin: %+v %v", r.Errors, r.header)
	}
}
