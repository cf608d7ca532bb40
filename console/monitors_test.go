package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

// monitorIDs is tenant's monitors by name, read through the API.
func (e *env) monitorIDs(tb testing.TB, key string) map[string]string {
	tb.Helper()
	c, _ := New(WithAPI(e.srv.Config.Handler), WithRedis(e.rdb))
	var out struct {
		Monitors []struct{ ID, Name string }
	}
	if err := c.exec(context.Background(), key, `{monitors{id name}}`, nil, &out); err != nil {
		tb.Fatalf("monitors: %v", err)
	}
	ids := map[string]string{}
	for _, m := range out.Monitors {
		ids[m.Name] = m.ID
	}
	return ids
}

// TestMonitorsPage lists the tenant's monitors with their networks, state,
// last match and 24 h sparkline, and pauses and resumes one in place.
func TestMonitorsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var batch []store.ExpectedDelivery
	for i := range 3 {
		// One match fires two triggers: it counts once.
		for _, tr := range []string{"ops_hook", "big_hook"} {
			batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: e.a, Monitor: "Big swaps",
				Network: "stellar_testnet", Ledger: uint64(500 + i), TxHash: fmt.Sprintf("tx%d", i), Trigger: tr},
				TaskID: fmt.Sprintf("t-%d-%s", i, tr), Channel: "webhook"})
		}
	}
	if err := e.st.ExpectDeliveries(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	ids := e.monitorIDs(t, e.keyA)
	b := e.browser(t)
	b.signIn(e.keyA)
	p := b.get("/console/monitors")
	if p.status != http.StatusOK {
		t.Fatalf("monitors = %d %s", p.status, p.body)
	}
	for _, want := range []string{"Big swaps", "Small swaps", "stellar_testnet", `aria-label="3 matches in the last 24 hours"`,
		`aria-label="0 matches in the last 24 hours"`, "/console/monitors/" + ids["Big swaps"] + "/pause"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("monitors page lacks %q", want)
		}
	}
	// Pause in place (the script's fetch), then resume with the plain form.
	p = b.post("/console/monitors/"+ids["Big swaps"]+"/pause", nil, "Accept", "application/json")
	if p.status != http.StatusOK || !strings.Contains(p.body, `"paused":true`) {
		t.Fatalf("pause = %d %s", p.status, p.body)
	}
	p = b.get("/console/monitors")
	if !strings.Contains(p.body, "/console/monitors/"+ids["Big swaps"]+"/resume") {
		t.Fatal("the paused monitor offers no resume")
	}
	p = b.post("/console/monitors/"+ids["Big swaps"]+"/resume", nil)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/monitors#m-"+ids["Big swaps"] {
		t.Fatalf("resume = %d %q", p.status, p.header.Get("Location"))
	}
	if p := b.get("/console/monitors"); !strings.Contains(p.body, "/console/monitors/"+ids["Big swaps"]+"/pause") {
		t.Fatal("resume did not take")
	}
}

// TestAnotherTenantUnreachable: every console route aimed at another
// tenant's monitor answers not found, and changes nothing.
func TestAnotherTenantUnreachable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bravo := e.monitorIDs(t, e.keyB)["Big swaps"]
	b := e.browser(t)
	b.signIn(e.keyA)
	b.get("/console/monitors")
	if p := b.get("/console/monitors/" + bravo); p.status != http.StatusNotFound || strings.Contains(p.body, "amount &gt; 1000") {
		t.Errorf("editor of bravo's monitor = %d", p.status)
	}
	for _, act := range []string{"pause", "resume"} {
		if p := b.post("/console/monitors/"+bravo+"/"+act, nil); p.status != http.StatusNotFound {
			t.Errorf("%s bravo's monitor (form) = %d", act, p.status)
		}
		if p := b.post("/console/monitors/"+bravo+"/"+act, nil, "Accept", "application/json"); p.status != http.StatusNotFound {
			t.Errorf("%s bravo's monitor (fetch) = %d", act, p.status)
		}
	}
	mon := storetest.MonitorJSON("Big swaps", "stellar_testnet", "amount > 1", "ops_hook")
	if p := b.post("/console/editor/save", url.Values{"id": {bravo}, "monitor": {mon}}); p.status != http.StatusNotFound {
		t.Errorf("save over bravo's monitor = %d", p.status)
	}
	// Bravo's monitor is untouched: not paused, its expression unchanged.
	c, _ := New(WithAPI(e.srv.Config.Handler), WithRedis(e.rdb))
	var out struct {
		Monitor struct {
			Paused        bool
			Configuration json.RawMessage
		}
	}
	if err := c.exec(context.Background(), e.keyB, `query($id:ID!){monitor(id:$id){paused configuration}}`, map[string]any{"id": bravo}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Monitor.Paused || !strings.Contains(indent(out.Monitor.Configuration), "amount > 1000") {
		t.Fatalf("bravo's monitor changed: %+v %s", out.Monitor.Paused, out.Monitor.Configuration)
	}
}

// TestEditorSaves creates a monitor, shows it with its triggers' secrets
// masked, replaces it, and places a refused save's messages at their line.
func TestEditorSaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	b.get("/console/monitors/new")
	mon := storetest.MonitorJSON("Whale watch", "stellar_testnet", "amount > 5000", "ops_hook")
	p := b.post("/console/editor/save", url.Values{"monitor": {mon}})
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.header.Get("Location"), "?saved=1") {
		t.Fatalf("create = %d %s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/console/monitors/"), "?saved=1")
	if e.monitorIDs(t, e.keyA)["Whale watch"] != id {
		t.Fatalf("the saved monitor %q is not Whale watch", id)
	}
	p = b.get(loc)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Saved.") || !strings.Contains(p.body, "amount &gt; 5000") || !strings.Contains(p.body, "ops_hook (webhook") {
		t.Fatalf("editor after save = %d %s", p.status, p.body)
	}
	for _, secret := range []string{"hooks.example.org/ops-hook", "Bearer abc"} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the editor renders %q", secret)
		}
	}
	// Replace: the expression changes.
	p = b.post("/console/editor/save", url.Values{"id": {id}, "monitor": {strings.Replace(mon, "amount > 5000", "amount > 7000", 1)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("replace = %d %s", p.status, p.body)
	}
	if p := b.get("/console/monitors/" + id); !strings.Contains(p.body, "amount &gt; 7000") {
		t.Fatal("the replaced expression is not shown")
	}
	// A bad expression is refused with the message at its line.
	bad := storetest.MonitorJSON("Whale watch", "stellar_testnet", "amount >>> (", "ops_hook")
	p = b.post("/console/editor/save", url.Values{"id": {id}, "monitor": {bad}})
	line := 0
	for i, l := range strings.Split(bad, "\n") {
		if strings.Contains(l, `"expression"`) {
			line = i + 1
		}
	}
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, fmt.Sprintf(`data-line="%d"`, line)) {
		t.Fatalf("bad save = %d, want a problem at line %d: %s", p.status, line, p.body)
	}
	// A trigger that does not exist is refused too, and nothing changed.
	p = b.post("/console/editor/save", url.Values{"id": {id}, "monitor": {storetest.MonitorJSON("Whale watch", "stellar_testnet", "amount > 1", "no_such_hook")}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown trigger = %d", p.status)
	}
	if p := b.get("/console/monitors/" + id); !strings.Contains(p.body, "amount &gt; 7000") {
		t.Fatal("a refused save changed the monitor")
	}
}

// TestSignInWithPassword signs a user in through the API's login.
func TestSignInWithPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery", testArgon2)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.st.CreateUser(ctx, "ada@example.com", hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.AddMembership(ctx, e.a, u.ID, auth.RoleViewer); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	b.get("/console/signin")
	p := b.post("/console/signin", url.Values{"email": {"ada@example.com"}, "password": {"wrong password!"}, "tenant": {"acme"}})
	if p.status != http.StatusUnauthorized || strings.Contains(p.body, "wrong password!") {
		t.Fatalf("wrong password = %d", p.status)
	}
	p = b.post("/console/signin", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}, "tenant": {"acme"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login = %d %s", p.status, p.body)
	}
	p = b.get("/console/monitors")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Big swaps") || !strings.Contains(p.body, "(VIEWER)") {
		t.Fatalf("monitors as the user = %d", p.status)
	}
	// A viewer may not pause: the API's FORBIDDEN, shown.
	id := e.monitorIDs(t, e.keyA)["Big swaps"]
	if p := b.post("/console/monitors/"+id+"/pause", nil); p.status != http.StatusForbidden {
		t.Fatalf("viewer pause = %d", p.status)
	}
}

// TestPagesAreSmall: every page stays under 100 KB.
func TestPagesAreSmall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	id := e.monitorIDs(t, e.keyA)["Big swaps"]
	for _, path := range []string{"/console/monitors", "/console/monitors/new", "/console/monitors/" + id, "/console/live",
		"/console/deliveries", "/console/usage", "/console/static/console.js", "/console/static/console.css"} {
		p := b.get(path)
		if p.status != http.StatusOK || len(p.body) == 0 || len(p.body) > 100<<10 {
			t.Errorf("%s = %d, %d bytes", path, p.status, len(p.body))
		}
	}
	if p := e.browser(t).get("/console/signin"); len(p.body) > 100<<10 {
		t.Errorf("sign-in = %d bytes", len(p.body))
	}
}

// TestEditorSavesATrigger creates a trigger with the monitor that fires
// it; the secret goes in but is never shown back, and a bad trigger is
// refused before the monitor is touched.
func TestEditorSavesATrigger(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	b.get("/console/monitors/new")
	trig := `{"name": "pager", "trigger_type": "webhook", "config": {
  "url": {"type": "plain", "value": "https://hooks.example.org/pager-Zq9Xz1"},
  "method": "POST", "message": {"title": "Pager", "body": "tx ${transaction.hash}"}}}`
	mon := storetest.MonitorJSON("Paged swaps", "stellar_testnet", "amount > 1", "pager")
	p := b.post("/console/editor/save", url.Values{"monitor": {mon}, "trigger": {trig}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save with a trigger = %d %s", p.status, p.body)
	}
	p = b.get(p.header.Get("Location"))
	if !strings.Contains(p.body, "pager (webhook") || strings.Contains(p.body, "pager-Zq9Xz1") {
		t.Fatalf("the trigger is missing or its URL shown in full")
	}
	badTrig := `{"name": "pager2", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "not a url"}, "method": "POST",
  "message": {"title": "x", "body": "y"}}}`
	p = b.post("/console/editor/save", url.Values{"monitor": {storetest.MonitorJSON("Other", "stellar_testnet", "amount > 1", "pager2")}, "trigger": {badTrig}})
	if p.status < 400 || !strings.Contains(p.body, `id="trigger-problems"`) || !strings.Contains(p.body, "<li>line") {
		t.Fatalf("bad trigger = %d", p.status)
	}
	if _, ok := e.monitorIDs(t, e.keyA)["Other"]; ok {
		t.Fatal("the monitor was saved although its trigger was refused")
	}
}
