package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store"
)

// victim is what tenant B owns that a caller of tenant A aims at: ids and
// names of its monitor, trigger, key, user, deliveries and events.
type victim struct {
	tenantID, slug         string
	monitorID, monitorName string
	triggerID, triggerKey  string
	keyID, keyName         string
	email                  string
	cursor                 string // a deliveries cursor B was given
	eventID                string // an event id of B's live stream
}

// markers are strings only B's data holds: none may appear in an answer
// to A.
func (v victim) markers() []string {
	return []string{v.tenantID, v.slug, v.monitorID, v.monitorName, v.triggerID, v.triggerKey, v.keyID, v.keyName, v.email, "bravo-tx-", "bravo-only"}
}

// ghost is a victim that does not exist: ids of the same shapes.
func ghost() victim {
	uuid := func() string {
		var b [16]byte
		_, _ = rand.Read(b[:])
		h := hex.EncodeToString(b[:])
		return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:]
	}
	return victim{tenantID: uuid(), slug: "ghost-tenant", monitorID: uuid(), monitorName: "ghost-monitor", triggerID: uuid(),
		triggerKey: "ghost-hook", keyID: uuid(), keyName: "ghost-key", email: "ghost@example.org"}
}

// outcome is what a matrix row expects of A's caller.
type outcome int

const (
	// notFound: NOT_FOUND, no data, and the same message as for an id
	// that exists nowhere (existence does not leak).
	notFound outcome = iota
	// ownOnly: the operation acts in A's tenant: any answer but
	// FORBIDDEN, and none of B's data.
	ownOnly
	// operatorOnly: refused to any tenant caller.
	operatorOnly
)

type matrixRow struct {
	field string // Type.field, as introspection names it
	op    string
	vars  func(v victim) map[string]any
	want  outcome
	// code is the refusal of a notFound row (default NOT_FOUND).
	code string
	// creates: the row creates resources in A named as B's; it runs
	// after every other row, which would find A's namesakes otherwise.
	creates bool
	// check, when set, asserts more of the answer.
	check func(t *testing.T, r result)
}

// matrixRows aims every query and mutation at B's resources.
func matrixRows(tg target) []matrixRow {
	none := func(victim) map[string]any { return nil }
	mon := func(v victim) map[string]any { return map[string]any{"id": v.monitorID} }
	monName := func(v victim) map[string]any { return map[string]any{"id": v.monitorName} }
	trig := func(v victim) map[string]any { return map[string]any{"id": v.triggerID} }
	trigKey := func(v victim) map[string]any { return map[string]any{"id": v.triggerKey} }
	monJSON := func(v victim) map[string]any {
		return map[string]any{"id": v.monitorID, "m": monitorJSON(v.monitorName, tg)}
	}
	trigJSON := func(v victim) map[string]any {
		return map[string]any{"id": v.triggerKey, "t": webhookJSON(v.triggerKey, "https://example.org/hook")}
	}
	rows := []matrixRow{
		{field: "Query.tenant", op: `{ tenant { id slug name tier active quotas { maxMonitors } } }`, vars: none, want: ownOnly},
		{field: "Query.me", op: `{ me { actor tenantId tenantSlug role operator } }`, vars: none, want: ownOnly},
		{field: "Query.monitors", op: `{ monitors { id name configuration } }`, vars: none, want: ownOnly},
		{field: "Query.monitor", op: `query($id: ID!) { monitor(id: $id) { id name configuration } }`, vars: mon, want: notFound},
		{field: "Query.monitor", op: `query($id: ID!) { monitor(id: $id) { id name configuration } }`, vars: monName, want: notFound},
		{field: "Query.triggers", op: `{ triggers { id name configuration } }`, vars: none, want: ownOnly},
		{field: "Query.trigger", op: `query($id: ID!) { trigger(id: $id) { id name configuration } }`, vars: trig, want: notFound},
		{field: "Query.trigger", op: `query($id: ID!) { trigger(id: $id) { id name configuration } }`, vars: trigKey, want: notFound},
		{field: "Query.networks", op: `{ networks { slug name status { lastLedger problems } } }`, vars: none, want: ownOnly},
		{field: "Query.deliveries", op: `query($m: String) { deliveries(filter: {monitor: $m}) { nodes { monitor txHash trigger } } }`,
			vars: func(v victim) map[string]any { return map[string]any{"m": v.monitorName} }, want: ownOnly,
			check: func(t *testing.T, r result) {
				if strings.Contains(string(r.Data), `"monitor"`) {
					t.Errorf("A's deliveries of B's monitor name list some: %s", r.Data)
				}
			}},
		{field: "Query.deliveries", op: `query($c: String) { deliveries(after: $c) { nodes { monitor txHash } } }`,
			vars: func(v victim) map[string]any { return map[string]any{"c": v.cursor} }, want: ownOnly,
			check: func(t *testing.T, r result) {
				if r.code() != "BAD_USER_INPUT" {
					t.Errorf("B's cursor given by A: code %q, want BAD_USER_INPUT", r.code())
				}
			}},
		{field: "Query.auditLog", op: `{ auditLog { nodes { actor action resourceType resourceId details } } }`, vars: none, want: ownOnly},
		{field: "Query.usage", op: `query($f: Time!, $t: Time!) { usage(from: $f, to: $t) { hour matches } }`,
			vars: func(victim) map[string]any {
				return map[string]any{"f": time.Now().Add(-48 * time.Hour).UTC(), "t": time.Now().Add(time.Hour).UTC()}
			}, want: ownOnly,
			check: func(t *testing.T, r result) {
				if strings.Contains(string(r.Data), `"matches":7`) {
					t.Errorf("A sees B's usage: %s", r.Data)
				}
			}},
		{field: "Query.apiKeys", op: `{ apiKeys { id name prefix role } }`, vars: none, want: ownOnly},
		{field: "Query.validateMonitor", op: `query($m: JSON!) { validateMonitor(monitor: $m) { code file path message } }`,
			vars: func(v victim) map[string]any {
				return map[string]any{"m": monitorJSON(v.monitorName, tg, v.triggerKey)} // B's trigger is not A's
			}, want: ownOnly,
			check: func(t *testing.T, r result) {
				if !strings.Contains(string(r.Data), `"path":"triggers`) {
					t.Errorf("A's monitor naming B's trigger validates: %s %+v", r.Data, r.Errors)
				}
			}},

		{field: "Mutation.createMonitor", op: `mutation($m: JSON!) { createMonitor(monitor: $m) { id name } }`,
			vars: func(v victim) map[string]any {
				return map[string]any{"m": monitorJSON(v.monitorName, tg, v.triggerKey)} // B's trigger is not A's
			}, want: ownOnly, creates: true},
		{field: "Mutation.replaceMonitor", op: `mutation($id: ID!, $m: JSON!) { replaceMonitor(id: $id, monitor: $m) { id } }`, vars: monJSON, want: notFound},
		{field: "Mutation.pauseMonitor", op: `mutation($id: ID!) { pauseMonitor(id: $id) { id paused } }`, vars: mon, want: notFound},
		{field: "Mutation.pauseMonitor", op: `mutation($id: ID!) { pauseMonitor(id: $id) { id paused } }`, vars: monName, want: notFound},
		{field: "Mutation.resumeMonitor", op: `mutation($id: ID!) { resumeMonitor(id: $id) { id paused } }`, vars: mon, want: notFound},
		{field: "Mutation.deleteMonitor", op: `mutation($id: ID!) { deleteMonitor(id: $id) }`, vars: mon, want: notFound},
		{field: "Mutation.deleteMonitor", op: `mutation($id: ID!) { deleteMonitor(id: $id) }`, vars: monName, want: notFound},
		{field: "Mutation.createTrigger", op: `mutation($t: JSON!) { createTrigger(trigger: $t) { id name } }`, vars: trigJSON, want: ownOnly, creates: true},
		{field: "Mutation.replaceTrigger", op: `mutation($id: ID!, $t: JSON!) { replaceTrigger(id: $id, trigger: $t) { id } }`,
			vars: func(v victim) map[string]any {
				return map[string]any{"id": v.triggerID, "t": webhookJSON(v.triggerKey, "https://example.org/hook")}
			}, want: notFound},
		{field: "Mutation.pauseTrigger", op: `mutation($id: ID!) { pauseTrigger(id: $id) { id paused } }`, vars: trig, want: notFound},
		{field: "Mutation.pauseTrigger", op: `mutation($id: ID!) { pauseTrigger(id: $id) { id paused } }`, vars: trigKey, want: notFound},
		{field: "Mutation.resumeTrigger", op: `mutation($id: ID!) { resumeTrigger(id: $id) { id paused } }`, vars: trig, want: notFound},
		{field: "Mutation.deleteTrigger", op: `mutation($id: ID!) { deleteTrigger(id: $id) }`, vars: trig, want: notFound},
		{field: "Mutation.deleteTrigger", op: `mutation($id: ID!) { deleteTrigger(id: $id) }`, vars: trigKey, want: notFound},
		{field: "Mutation.importConfig", op: `mutation($f: [FileInput!]!) { importConfig(files: $f) { monitors triggers skipped } }`,
			vars: func(v victim) map[string]any {
				return map[string]any{"f": []any{
					map[string]any{"name": "monitors/m.json", "content": monitorJSON(v.monitorName, tg, v.triggerKey)},
					map[string]any{"name": "triggers/t.json", "content": map[string]any{v.triggerKey: webhookJSON(v.triggerKey, "https://example.org/hook")}},
				}}
			}, want: ownOnly, creates: true},
		{field: "Mutation.testMonitor", op: `mutation($m: JSON!) { testMonitor(monitor: $m, ledgers: {network: "stellar_mainnet", from: 1}) { matches ledgersEvaluated } }`,
			vars: func(v victim) map[string]any { return map[string]any{"m": monitorJSON(v.monitorName, tg)} }, want: ownOnly},
		{field: "Mutation.retryDeliveries", op: `mutation($m: String) { retryDeliveries(filter: {monitor: $m}, force: true) { requeued failed skipped { monitor ledger reason } } }`,
			vars: func(v victim) map[string]any { return map[string]any{"m": v.monitorName} }, want: ownOnly,
			check: func(t *testing.T, r result) {
				if !strings.Contains(string(r.Data), `"requeued":0`) || !strings.Contains(string(r.Data), `"skipped":[]`) {
					t.Errorf("A's retry of B's monitor name touched something: %s %+v", r.Data, r.Errors)
				}
			}},
		{field: "Mutation.createApiKey", op: `mutation($n: String!) { createApiKey(name: $n, role: VIEWER) { key { id name } } }`,
			vars: func(v victim) map[string]any { return map[string]any{"n": v.keyName} }, want: ownOnly, creates: true},
		{field: "Mutation.revokeApiKey", op: `mutation($id: ID!) { revokeApiKey(id: $id) { id revoked } }`,
			vars: func(v victim) map[string]any { return map[string]any{"id": v.keyID} }, want: notFound},
		{field: "Mutation.login", op: `mutation($e: String!, $s: String!) { login(email: $e, password: "correct horse battery staple", tenant: $s) { token role } }`,
			vars: func(v victim) map[string]any { return map[string]any{"e": "alice@acme.example", "s": v.slug} }, want: notFound,
			code: "UNAUTHENTICATED"}, // login has no caller: refused as for a tenant that does not exist
		{field: "Mutation.createTenant", op: `mutation($s: String!) { createTenant(input: {slug: $s, name: "x"}) { id } }`,
			vars: func(v victim) map[string]any { return map[string]any{"s": v.slug + "-2"} }, want: operatorOnly},
		{field: "Mutation.setTenant", op: `mutation($id: ID!) { setTenant(id: $id, input: {maxMonitors: 1000, active: false}) { id } }`,
			vars: func(v victim) map[string]any { return map[string]any{"id": v.tenantID} }, want: operatorOnly},
	}
	return rows
}

// subscriptionRows aims every subscription at B: each gets only A's
// sentinel event, never B's.
var subscriptionRows = []struct {
	field string
	op    string
	vars  func(v victim) map[string]any
	// sentinel is A's event that should arrive, published after B's.
	sentinel func(a string, v victim) live.Event
}{
	{"Subscription.matches", `subscription($m: ID) { matches(monitor: $m) { kind id monitor match } }`,
		func(v victim) map[string]any { return map[string]any{"m": v.monitorName} },
		func(a string, v victim) live.Event { return matchEvent(a, v.monitorName, "a-sentinel-1") }},
	{"Subscription.matches", `subscription($after: String) { matches(after: $after) { kind id monitor match } }`,
		func(v victim) map[string]any { return map[string]any{"after": v.eventID} },
		func(a string, v victim) live.Event { return matchEvent(a, "a-mon", "a-sentinel-2") }},
	{"Subscription.deliveries", `subscription { deliveries(status: FAILED) { kind id delivery { monitor txHash status } } }`,
		func(victim) map[string]any { return nil },
		func(a string, v victim) live.Event { return deliveryEvent(a, "a-mon", "a-sentinel-3", "failed") }},
	{"Subscription.deliveries", `subscription($after: String) { deliveries(after: $after) { kind id delivery { monitor txHash status } } }`,
		func(v victim) map[string]any { return map[string]any{"after": v.eventID} },
		func(a string, v victim) live.Event { return deliveryEvent(a, "a-mon", "a-sentinel-4", "delivered") }},
}

func matchEvent(tenantID, monitor, tx string) live.Event {
	return live.Event{TenantID: tenantID, Kind: live.KindMatch, Monitor: monitor, Network: mainnet, Ledger: 7, TxHash: tx,
		Status: live.MatchStatus, Time: time.Now(), Match: json.RawMessage(fmt.Sprintf(`{"Stellar":{"tx":%q}}`, tx))}
}

func deliveryEvent(tenantID, monitor, tx, status string) live.Event {
	return live.Event{TenantID: tenantID, Kind: live.KindDelivery, Monitor: monitor, Network: mainnet, Ledger: 7, TxHash: tx,
		Trigger: "hook", Status: status, Time: time.Now()}
}

// TestIsolationMatrix: tenant A's API key and A's user session, aimed at
// every query, mutation and subscription of tenant B's resources, get
// NOT_FOUND (answered as for ids that exist nowhere) or act in A's own
// tenant, never FORBIDDEN and never with B's data; the operator's
// mutations refuse both. B is unchanged afterwards. A field of the schema
// without a row fails the test.
func TestIsolationMatrix(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := newDeployment(t, withIntrospection())
	if err := d.st.UpsertNetwork(ctx, mainnet, networkJSON("http://127.0.0.1:1")); err != nil {
		t.Fatal(err)
	}
	_, tg := rareTarget(t)
	a := d.tenant("acme")
	aKey, _ := d.key(a, "a-admin", auth.RoleAdmin, time.Time{})
	email, password := d.user(a, "alice@acme.example", auth.RoleOwner)
	var login struct{ Login struct{ Token string } }
	d.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p, tenant: "acme") { token } }`,
		map[string]any{"e": email, "p": password}).ok(t, &login)
	v := setUpVictim(t, d, tg)
	callers := []struct{ name, token string }{{"A's key", aKey}, {"A's session", login.Login.Token}}

	rows := matrixRows(tg)
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.field] = true
	}
	for _, r := range subscriptionRows {
		covered[r.field] = true
	}
	for _, f := range schemaFields(t, d) {
		if !covered[f] {
			t.Errorf("%s has no row in the isolation matrix: add one", f)
		}
	}

	g := ghost()
	for _, phase := range []bool{false, true} {
		for _, c := range callers {
			for i, r := range rows {
				if r.creates == phase {
					checkRow(t, d, fmt.Sprintf("%s/%d %s", c.name, i, r.field), c.token, r, v, g)
				}
			}
		}
	}

	for _, c := range callers {
		for i, r := range subscriptionRows {
			checkSubscriptionIsolated(ctx, t, d, fmt.Sprintf("%s/%d %s", c.name, i, r.field), c.token, r.op, r.vars(v), v, r.sentinel(a, v))
		}
	}

	checkVictimIntact(t, d, v)
}

// checkRow runs one row as one of A's callers.
func checkRow(t *testing.T, d *deployment, name, token string, r matrixRow, v, g victim) {
	t.Helper()
	vars := r.vars(v)
	res := d.gql(t, token, r.op, vars)
	if res.code() == "FORBIDDEN" && r.want != operatorOnly {
		t.Errorf("%s: FORBIDDEN (leaks that B's resource exists): %+v", name, res.Errors)
		return
	}
	code := r.code
	if code == "" {
		code = "NOT_FOUND"
	}
	switch r.want {
	case notFound:
		if res.code() != code || (len(res.Data) > 0 && string(res.Data) != "null") {
			t.Errorf("%s: code %q data %s errors %+v, want %s and no data", name, res.code(), res.Data, res.Errors, code)
			return
		}
		// The same answer as for an id that exists nowhere.
		gres := d.gql(t, token, r.op, r.vars(g))
		if gres.code() != code || scrub(res.Errors[0].Message, v) != scrub(gres.Errors[0].Message, g) {
			t.Errorf("%s: B's id answers %q, a ghost's %q: existence leaks", name, res.Errors[0].Message, gres.Errors[0].Message)
		}
	case ownOnly:
		input, _ := json.Marshal(vars)
		for _, m := range v.markers() {
			if m != "" && !strings.Contains(string(input), m) && strings.Contains(string(res.raw), m) {
				t.Errorf("%s: the answer holds B's %q: %s", name, m, res.raw)
			}
		}
	case operatorOnly:
		if res.code() != "FORBIDDEN" || !strings.Contains(res.Errors[0].Message, "operator") {
			t.Errorf("%s: code %q %+v, want FORBIDDEN naming the operator", name, res.code(), res.Errors)
		}
	}
	if r.check != nil {
		r.check(t, res)
	}
}

// scrub replaces a victim's ids in msg, so answers about two victims
// compare.
func scrub(msg string, v victim) string {
	for _, s := range []string{v.monitorID, v.monitorName, v.triggerID, v.triggerKey, v.keyID, v.slug, v.tenantID} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "<id>")
		}
	}
	return msg
}

// schemaFields lists every Query, Mutation and Subscription field by
// introspection.
func schemaFields(t *testing.T, d *deployment) []string {
	t.Helper()
	var s struct {
		Schema struct {
			QueryType, MutationType, SubscriptionType struct {
				Name   string
				Fields []struct{ Name string }
			}
		} `json:"__schema"`
	}
	d.gql(t, operatorToken, `{ __schema { queryType { name fields { name } } mutationType { name fields { name } } subscriptionType { name fields { name } } } }`, nil).ok(t, &s)
	var out []string
	for _, ty := range []struct {
		Name   string
		Fields []struct{ Name string }
	}{s.Schema.QueryType, s.Schema.MutationType, s.Schema.SubscriptionType} {
		for _, f := range ty.Fields {
			out = append(out, ty.Name+"."+f.Name)
		}
	}
	if len(out) < 30 {
		t.Fatalf("introspection listed %d fields: %v", len(out), out)
	}
	return out
}

// setUpVictim gives tenant B a monitor, a trigger, a key, a user,
// deliveries, usage and live events, all through its own credentials.
func setUpVictim(t *testing.T, d *deployment, tg target) victim {
	t.Helper()
	ctx := context.Background()
	v := victim{slug: "bravo-only-tenant", monitorName: "bravo-only-monitor", triggerKey: "bravo-only-hook", keyName: "bravo-only-key", email: "bob@bravo-only.example"}
	v.tenantID = d.tenant(v.slug)
	bKey, keyID := d.key(v.tenantID, v.keyName, auth.RoleAdmin, time.Time{})
	v.keyID = keyID
	d.user(v.tenantID, v.email, auth.RoleOwner)
	var cm struct{ CreateMonitor struct{ ID string } }
	d.gql(t, bKey, createMonitorQ, map[string]any{"m": monitorJSON(v.monitorName, tg)}).ok(t, &cm)
	v.monitorID = cm.CreateMonitor.ID
	var ct struct{ CreateTrigger struct{ ID string } }
	d.gql(t, bKey, createTriggerQ, map[string]any{"t": webhookJSON(v.triggerKey, "https://example.org/bravo")}).ok(t, &ct)
	v.triggerID = ct.CreateTrigger.ID
	d.gql(t, bKey, replaceMonitorQ, map[string]any{"id": v.monitorID, "m": monitorJSON(v.monitorName, tg, v.triggerKey)}).ok(t, nil)
	var batch []store.ExpectedDelivery
	for i := range 3 {
		batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: v.tenantID, Monitor: v.monitorName, Network: mainnet,
			Ledger: uint64(100 + i), TxHash: fmt.Sprintf("bravo-tx-%d", i), Trigger: v.triggerKey}, TaskID: fmt.Sprintf("bravo-task-%d", i), Channel: "webhook"})
	}
	if err := d.st.ExpectDeliveries(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.st.FinishDelivery(ctx, batch[0].Key, store.DeliveryArchived, "bravo-only failure"); err != nil {
		t.Fatal(err)
	}
	if err := d.st.AddUsage(ctx, []store.UsageHour{{TenantID: v.tenantID, Hour: time.Now().UTC().Truncate(time.Hour), Matches: 7}}); err != nil {
		t.Fatal(err)
	}
	var dq struct {
		Deliveries struct{ PageInfo struct{ EndCursor string } }
	}
	d.gql(t, bKey, `{ deliveries(first: 1) { pageInfo { endCursor } } }`, nil).ok(t, &dq)
	v.cursor = dq.Deliveries.PageInfo.EndCursor
	if err := d.pub.Publish(ctx, matchEvent(v.tenantID, v.monitorName, "bravo-tx-live")); err != nil {
		t.Fatal(err)
	}
	ids := d.rdb.XRange(ctx, livePrefix+":{"+v.tenantID+"}", "-", "+").Val()
	if len(ids) != 1 {
		t.Fatalf("B's stream holds %d events", len(ids))
	}
	v.eventID = ids[0].ID
	return v
}

// checkSubscriptionIsolated opens A's subscription aimed at B, publishes
// B's events then A's sentinel, and requires the first event frame to be
// the sentinel (or the subscription refused NOT_FOUND).
func checkSubscriptionIsolated(ctx context.Context, t *testing.T, d *deployment, name, token, op string, vars map[string]any, v victim, sentinel live.Event) {
	t.Helper()
	ws, err := dialWS(ctx, d.wsURL(), token)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer ws.close()
	before := d.hub.Stats().Subscriptions
	if err := ws.subscribe(ctx, "1", op, vars); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// A refused subscription answers at once; an accepted one registers
	// on the hub.
	opened := func() bool { return d.hub.Stats().Subscriptions > before }
	deadline := time.Now().Add(10 * time.Second)
	for !opened() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	bEvents := []live.Event{matchEvent(v.tenantID, v.monitorName, "bravo-tx-m"), deliveryEvent(v.tenantID, v.monitorName, "bravo-tx-d", "failed"),
		deliveryEvent(v.tenantID, v.monitorName, "bravo-tx-ok", "delivered")}
	if err := d.pub.Publish(ctx, bEvents...); err != nil {
		t.Fatal(err)
	}
	if err := d.pub.Publish(ctx, sentinel); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	for {
		m, err := ws.next(rctx)
		if err != nil {
			t.Errorf("%s: no sentinel event: %v", name, err)
			return
		}
		input := strings.Join(mapValues(vars), " ")
		own := strings.Contains(string(m.Payload), "a-sentinel-") // A's events may bear B's names
		for _, mk := range v.markers() {
			if !own && strings.Contains(string(m.Payload), mk) && !strings.Contains(input, mk) {
				t.Errorf("%s: frame carries B's %q: %s", name, mk, m.Payload)
				return
			}
		}
		if m.Type == "error" || strings.Contains(string(m.Payload), `"errors"`) {
			if !strings.Contains(string(m.Payload), "NOT_FOUND") {
				t.Errorf("%s: refused with %s, want NOT_FOUND", name, m.Payload)
			}
			return
		}
		if m.Type != "next" {
			t.Errorf("%s: frame %s %s", name, m.Type, m.Payload)
			return
		}
		if strings.Contains(string(m.Payload), "FORBIDDEN") {
			t.Errorf("%s: FORBIDDEN: %s", name, m.Payload)
			return
		}
		if strings.Contains(string(m.Payload), sentinel.TxHash) {
			return // A's own event, after B's, and nothing of B's before it
		}
		// A notice (RESUMED, GAP) about A's own stream, or A's own
		// earlier events (a resume), may come first.
	}
}

func mapValues(m map[string]any) []string {
	var out []string
	for _, v := range m {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// checkVictimIntact: after the matrix, B's monitor, trigger, key,
// tenant, deliveries and audit log are as B left them.
func checkVictimIntact(t *testing.T, d *deployment, v victim) {
	t.Helper()
	bKey, _ := d.key(v.tenantID, "bravo-check", auth.RoleAdmin, time.Time{})
	var s struct {
		Tenant struct {
			Active bool
			Quotas struct{ MaxMonitors int }
		}
		Monitors []struct {
			ID, Name string
			Paused   bool
			Triggers []string
		}
		Triggers []struct {
			ID, Name string
			Paused   bool
		}
		APIKeys []struct {
			ID      string
			Revoked bool
		} `json:"apiKeys"`
		Deliveries struct {
			Nodes []struct{ TxHash, Status string }
		}
		AuditLog struct{ Nodes []struct{ Actor string } }
	}
	d.gql(t, bKey, `{ tenant { active quotas { maxMonitors } } monitors { id name paused triggers } triggers { id name paused }
		apiKeys { id revoked } deliveries { nodes { txHash status } } auditLog { nodes { actor } } }`, nil).ok(t, &s)
	if !s.Tenant.Active || s.Tenant.Quotas.MaxMonitors != 10 {
		t.Errorf("B's tenant changed: %+v", s.Tenant)
	}
	if len(s.Monitors) != 1 || s.Monitors[0].ID != v.monitorID || s.Monitors[0].Paused || !slices.Equal(s.Monitors[0].Triggers, []string{v.triggerKey}) {
		t.Errorf("B's monitors changed: %+v", s.Monitors)
	}
	if len(s.Triggers) != 1 || s.Triggers[0].ID != v.triggerID || s.Triggers[0].Paused {
		t.Errorf("B's triggers changed: %+v", s.Triggers)
	}
	for _, k := range s.APIKeys {
		if k.Revoked {
			t.Errorf("B's key %s revoked", k.ID)
		}
	}
	statuses := map[string]string{}
	for _, n := range s.Deliveries.Nodes {
		statuses[n.TxHash] = n.Status
	}
	if len(statuses) != 3 || statuses["bravo-tx-0"] != "ARCHIVED" || statuses["bravo-tx-1"] != "PENDING" {
		t.Errorf("B's deliveries changed: %v", statuses)
	}
	for _, n := range s.AuditLog.Nodes {
		if n.Actor != "key:"+v.keyID {
			t.Errorf("B's audit log has an entry by %s", n.Actor)
		}
	}
}
