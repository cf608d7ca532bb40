package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
)

// writes counts what a refused request must not have written: the
// tenant's monitors, triggers, keys and audit rows.
func (d *deployment) writes(tb testing.TB, tenantID string) string {
	tb.Helper()
	var m, tr, k, a int
	err := d.st.Pool().QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM tenant_monitors WHERE tenant_id = $1),
		(SELECT count(*) FROM tenant_triggers WHERE tenant_id = $1),
		(SELECT count(*) FROM api_keys WHERE tenant_id = $1),
		(SELECT count(*) FROM audit_logs WHERE tenant_id = $1)`, tenantID).Scan(&m, &tr, &k, &a)
	if err != nil {
		tb.Fatalf("count writes: %v", err)
	}
	return fmt.Sprintf("monitors %d, triggers %d, keys %d, audit rows %d", m, tr, k, a)
}

// TestBadRequestsHaveNoEffect: requests the API must refuse — broken or
// oversized bodies, huge, deep, expensive or cyclic documents, unknown
// fields and arguments, malformed configuration JSON — get a clear error
// naming what is wrong, and write nothing. (api/server_test.go checks the
// status and code of the basic cases with a stub authenticator; these go
// through the real one, as mutations.)
func TestBadRequestsHaveNoEffect(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, withLimits(64<<10, 8, 500))
	if err := d.st.UpsertNetwork(context.Background(), mainnet, networkJSON("http://127.0.0.1:1")); err != nil {
		t.Fatal(err)
	}
	_, tg := rareTarget(t)
	tenant := d.tenant("acme")
	key, _ := d.key(tenant, "writer", auth.RoleAdmin, time.Time{})
	before := d.writes(t, tenant)

	mon := `{"name":"m","paused":false,"networks":["stellar_mainnet"],"addresses":[{"address":"` + tg.contract +
		`"}],"match_conditions":{"functions":[],"events":[],"transactions":[]},"trigger_conditions":[],"triggers":[]}`
	create := func(alias string) string { return alias + `: createMonitor(monitor: ` + quoteGraphQL(mon) + `) { id }` }
	// Many writes in one request, each small (the monitor in a variable):
	// their number, not the body's size, refuses them.
	aliases := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "a%d: createMonitor(monitor: $m) { id } ", i)
		}
		return `{"query":"mutation($m: JSON!) { ` + b.String() + ` }","variables":{"m":` + mon + `}}`
	}
	// The schema's own types nest 3 deep; its introspection types nest
	// without end.
	deep := `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`
	cases := []struct {
		name     string
		body     string
		status   int    // 0: any 2xx/4xx with an error
		code     string // "" : any
		contains string
	}{
		{"malformed JSON", `{"query":"mutation { ` + create("a") + `"`, http.StatusBadRequest, "BAD_USER_INPUT", "JSON"},
		{"trailing garbage", `{"query":"mutation { a: deleteMonitor(id: \"m\") }"} {"x":1}`, http.StatusBadRequest, "", ""},
		{"variables not an object", `{"query":"mutation($m: JSON!) { createMonitor(monitor: $m) { id } }","variables":"m"}`, http.StatusBadRequest, "", "variables"},
		{"batched operations", `[{"query":"mutation { ` + strings.ReplaceAll(create("a"), `"`, `\"`) + ` }"}]`, http.StatusBadRequest, "", ""},
		{"body over the limit", `{"query":"mutation { ` + strings.ReplaceAll(create("a"), `"`, `\"`) + ` }","pad":"` + strings.Repeat("x", 70<<10) + `"}`,
			http.StatusRequestEntityTooLarge, "BAD_USER_INPUT", "api.body_limit"},
		{"many aliased writes", aliases(600), 0, "TOO_MANY_MUTATIONS", "at most 10"},
		{"one write over the cap", aliases(11), 0, "TOO_MANY_MUTATIONS", "11 mutation fields"},
		{"expensive query", jsonBody(`{ a: deliveries(first: 200) { nodes { monitor txHash ledger } } b: auditLog(first: 200) { nodes { action } } }`), 0, "QUERY_TOO_COMPLEX", "api.complexity_limit"},
		{"deep", jsonBody(deep), 0, "QUERY_TOO_DEEP", "api.depth_limit"},
		{"cyclic fragments", jsonBody(`mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }`), http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "Cannot spread fragment"},
		{"unknown field", jsonBody(`mutation { createMonitor(monitor: {}) { id secretHash } }`), http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "secretHash"},
		{"unknown argument", jsonBody(`mutation { deleteMonitor(id: "m", tenant: "other") }`), http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "tenant"},
		{"unknown input field", jsonBody(`mutation { retryDeliveries(filter: {monitor: "m", tenantId: "x"}) { requeued } }`), http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "tenantId"},
		{"unknown monitor key", jsonBody(`mutation { createMonitor(monitor: ` + quoteGraphQL(strings.Replace(mon, `"paused":false`, `"paused":false,"owner_tenant":"x"`, 1)) + `) { id } }`),
			0, "VALIDATION_FAILED", "owner_tenant"},
		{"monitor JSON that is not JSON", jsonBody(`mutation { createMonitor(monitor: "{\"name\": ") { id } }`), 0, "", "JSON"},
		{"monitor of no known network", jsonBody(`mutation { createMonitor(monitor: ` + quoteGraphQL(strings.Replace(mon, "stellar_mainnet", "no_such_net", 1)) + `) { id } }`),
			0, "VALIDATION_FAILED", "no_such_net"},
		{"private destination", jsonBody(`mutation { createTrigger(trigger: {name: "h", trigger_type: "webhook", config: {url: {type: "plain", value: "http://169.254.169.254/latest"}, method: "POST", message: {title: "t", body: "b"}}}) { id } }`),
			0, "", ""},
	}
	for _, c := range cases {
		r := d.postRaw(t, key, []byte(c.body))
		msg := ""
		for _, e := range r.Errors {
			msg += e.Message + " | "
		}
		switch {
		case len(r.Errors) == 0:
			t.Errorf("%s: accepted (status %d): %s", c.name, r.status, r.raw)
		case c.status != 0 && r.status != c.status:
			t.Errorf("%s: status %d, want %d (%s)", c.name, r.status, c.status, msg)
		case c.code != "" && r.code() != c.code:
			t.Errorf("%s: code %q, want %q (%s)", c.name, r.code(), c.code, msg)
		case !strings.Contains(strings.ToLower(msg), strings.ToLower(c.contains)):
			t.Errorf("%s: message %q does not say %q", c.name, msg, c.contains)
		}
		if r.code() == "VALIDATION_FAILED" && (r.Errors[0].Extensions["file"] == nil || r.Errors[0].Extensions["path"] == nil) {
			t.Errorf("%s: VALIDATION_FAILED without file and path: %+v", c.name, r.Errors[0].Extensions)
		}
		if after := d.writes(t, tenant); after != before {
			t.Fatalf("%s wrote: before %s, after %s", c.name, before, after)
		}
	}
	// The same monitor, well formed, is accepted: the refusals above were
	// for what was wrong, not for the monitor.
	d.gql(t, key, `mutation { `+create("ok")+` }`, nil).ok(t, nil)
	// So is a request with a few writes, each carried out.
	var few strings.Builder
	for i := range 3 {
		fmt.Fprintf(&few, "f%d: createMonitor(monitor: %s) { id } ", i, quoteGraphQL(strings.Replace(mon, `"name":"m"`, fmt.Sprintf(`"name":"few %d"`, i), 1)))
	}
	d.gql(t, key, `mutation { `+few.String()+` }`, nil).ok(t, nil)
	var n int
	if err := d.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tenant_monitors WHERE tenant_id = $1`, tenant).Scan(&n); err != nil || n != 4 {
		t.Fatalf("monitors after one create and a request of three: %d (%v), want 4", n, err)
	}
}

// jsonBody is a request body holding query.
func jsonBody(query string) string {
	return `{"query":` + quoteJSON(query) + `}`
}

func quoteJSON(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// quoteGraphQL is s as a GraphQL string literal.
func quoteGraphQL(s string) string { return quoteJSON(s) }

// TestExpiredAndRevokedKeys: an expired key is refused from its first
// use; a revoked key that was working (and cached) is refused within the
// cache TTL; both are told why without their secret, and write nothing.
func TestExpiredAndRevokedKeys(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, withKeyCacheTTL(500*time.Millisecond))
	ctx := context.Background()
	tenant := d.tenant("acme")
	admin, _ := d.key(tenant, "admin", auth.RoleAdmin, time.Time{})
	expired, expiredID := d.key(tenant, "expired", auth.RoleAdmin, time.Now().Add(time.Hour))
	if _, err := d.st.Pool().Exec(ctx, `UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, expiredID); err != nil {
		t.Fatal(err)
	}
	victim, victimID := d.key(tenant, "victim", auth.RoleAdmin, time.Time{})
	mutation := `mutation { createApiKey(name: "made-by-a-dead-key", role: VIEWER) { secret } }`

	before := d.writes(t, tenant)
	r := d.gql(t, expired, mutation, nil)
	if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "expired") {
		t.Fatalf("expired key: %d %+v", r.status, r.Errors)
	}
	if strings.Contains(string(r.raw), expired) {
		t.Fatal("the refusal repeats the key")
	}
	if after := d.writes(t, tenant); after != before {
		t.Fatalf("the expired key wrote: %s → %s", before, after)
	}

	// The victim works (and is now cached), then is revoked by the admin.
	d.gql(t, victim, `{ me { actor } }`, nil).ok(t, nil)
	var rev struct {
		RevokeAPIKey struct{ Revoked bool } `json:"revokeApiKey"`
	}
	d.gql(t, admin, `mutation($id: ID!) { revokeApiKey(id: $id) { revoked } }`, map[string]any{"id": victimID}).ok(t, &rev)
	if !rev.RevokeAPIKey.Revoked {
		t.Fatalf("revokeApiKey answered revoked false")
	}
	var refused result
	testkit.WaitUntil(t, 10*time.Second, "the revoked key is refused", func() bool {
		refused = d.gql(t, victim, `{ me { actor } }`, nil)
		return refused.code() == "UNAUTHENTICATED"
	})
	if refused.status != http.StatusUnauthorized || !strings.Contains(refused.Errors[0].Message, "revoked") || strings.Contains(string(refused.raw), victim) {
		t.Fatalf("revoked key: %d %+v", refused.status, refused.Errors)
	}
	before = d.writes(t, tenant)
	if r := d.gql(t, victim, mutation, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("revoked key's write: %+v", r.Errors)
	}
	if after := d.writes(t, tenant); after != before {
		t.Fatalf("the revoked key wrote: %s → %s", before, after)
	}
	// Over WebSocket too: the revoked key's connection is refused at init.
	if ws, err := dialWS(ctx, d.wsURL(), victim); err == nil {
		ws.close()
		t.Fatal("the revoked key opened a WebSocket connection")
	}
}
