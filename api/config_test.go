package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
)

const monitorFields = `id name paused networks triggers configuration problems createdAt`

type monitorData struct {
	ID, Name      string
	Paused        bool
	Networks      []string
	Triggers      []string
	Configuration json.RawMessage
	Problems      []string
}

func decode[T any](tb testing.TB, r gqlResponse) T {
	tb.Helper()
	if len(r.Errors) > 0 {
		tb.Fatalf("errors: %+v", r.Errors)
	}
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		tb.Fatalf("data %s: %v", r.Data, err)
	}
	return v
}

// TestMonitorLifecycle: a member creates, reads (by id and by name),
// replaces, pauses, resumes and deletes a monitor through the write path;
// each write is in the audit log with the caller and the request's
// User-Agent; another tenant's key gets NOT_FOUND for every step.
func TestMonitorLifecycle(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	other, _ := e.key(t, e.b, auth.RoleAdmin, time.Time{})
	js := storetest.MonitorJSON("Whales", "stellar_testnet", "amount > 1000000", "ops_hook")

	r := e.query(t, member, `mutation($m: JSON!) { createMonitor(monitor: $m) { `+monitorFields+` } }`, map[string]any{"m": json.RawMessage(js)})
	created := decode[struct{ CreateMonitor monitorData }](t, r).CreateMonitor
	if created.ID == "" || created.Name != "Whales" || created.Paused || created.Networks[0] != "stellar_testnet" || created.Triggers[0] != "ops_hook" {
		t.Fatalf("created = %+v", created)
	}
	for _, ref := range []string{created.ID, "Whales"} {
		got := decode[struct{ Monitor monitorData }](t, e.query(t, member, `query($id: ID!) { monitor(id: $id) { id name } }`, map[string]any{"id": ref}))
		if got.Monitor.ID != created.ID {
			t.Fatalf("monitor(%q) = %+v", ref, got.Monitor)
		}
	}
	list := decode[struct{ Monitors []monitorData }](t, e.query(t, member, `{ monitors { name } }`, nil))
	if len(list.Monitors) != 3 {
		t.Fatalf("monitors = %+v, want the fixture's two and Whales", list.Monitors)
	}

	// Another tenant sees none of it, and cannot touch it.
	for _, q := range []string{
		`query($id: ID!) { monitor(id: $id) { id } }`,
		`mutation($id: ID!) { pauseMonitor(id: $id) { id } }`,
		`mutation($id: ID!) { deleteMonitor(id: $id) }`,
		`mutation($id: ID!) { replaceMonitor(id: $id, monitor: {name: "Whales"}) { id } }`,
	} {
		if r := e.query(t, other, q, map[string]any{"id": created.ID}); r.code() != CodeNotFound {
			t.Errorf("tenant B: %s: %q %+v, want NOT_FOUND", q, r.code(), r.Errors)
		}
	}

	js2 := storetest.MonitorJSON("Whales", "stellar_testnet", "amount > 5000000", "ops_hook", "big_hook")
	r = e.query(t, member, `mutation($id: ID!, $m: JSON!) { replaceMonitor(id: $id, monitor: $m) { id triggers configuration } }`,
		map[string]any{"id": created.ID, "m": js2}) // as a string holding the JSON
	replaced := decode[struct{ ReplaceMonitor monitorData }](t, r).ReplaceMonitor
	if replaced.ID != created.ID || len(replaced.Triggers) != 2 || !strings.Contains(string(replaced.Configuration), "5000000") {
		t.Fatalf("replaced = %+v", replaced)
	}
	// A replacement keeps the name.
	if r := e.query(t, member, `mutation($id: ID!, $m: JSON!) { replaceMonitor(id: $id, monitor: $m) { id } }`,
		map[string]any{"id": created.ID, "m": json.RawMessage(storetest.MonitorJSON("Orcas", "stellar_testnet", "amount > 1", "ops_hook"))}); r.code() != CodeBadInput {
		t.Fatalf("rename by replace: %+v", r.Errors)
	}

	paused := decode[struct{ PauseMonitor monitorData }](t, e.query(t, member, `mutation { pauseMonitor(id: "Whales") { paused } }`, nil))
	if !paused.PauseMonitor.Paused {
		t.Fatal("pauseMonitor: still active")
	}
	resumed := decode[struct{ ResumeMonitor monitorData }](t, e.query(t, member, `mutation { resumeMonitor(id: "Whales") { paused } }`, nil))
	if resumed.ResumeMonitor.Paused {
		t.Fatal("resumeMonitor: still paused")
	}
	del := decode[struct{ DeleteMonitor bool }](t, e.query(t, member, `mutation($id: ID!) { deleteMonitor(id: $id) }`, map[string]any{"id": created.ID}))
	if !del.DeleteMonitor {
		t.Fatal("deleteMonitor: false")
	}
	if r := e.query(t, member, `query($id: ID!) { monitor(id: $id) { id } }`, map[string]any{"id": created.ID}); r.code() != CodeNotFound {
		t.Fatalf("deleted monitor: %+v", r.Errors)
	}
	if r := e.query(t, member, `mutation { deleteMonitor(id: "Whales") }`, nil); r.code() != CodeNotFound {
		t.Fatalf("delete twice: %+v", r.Errors)
	}

	// The audit log, read by an admin key, holds each write by the member's key.
	admin, _ := e.key(t, e.a, auth.RoleAdmin, time.Time{})
	audit := decode[struct {
		AuditLog struct {
			Nodes []struct{ Actor, Action, ResourceType string }
		}
	}](t, e.query(t, admin, `{ auditLog(first: 5) { nodes { actor action resourceType resourceId details createdAt } } }`, nil))
	var actions []string
	for _, n := range audit.AuditLog.Nodes {
		actions = append(actions, n.Action)
		if !strings.HasPrefix(n.Actor, "key:") || n.ResourceType != "monitor" {
			t.Errorf("audit entry %+v", n)
		}
	}
	if strings.Join(actions, ",") != "monitor_deleted,monitor_enabled,monitor_disabled,monitor_updated,monitor_created" {
		t.Fatalf("audit actions = %v", actions)
	}
	var ua string
	if err := e.st.Pool().QueryRow(context.Background(), `SELECT COALESCE(user_agent, '') FROM audit_logs WHERE tenant_id = $1 LIMIT 1`, e.a).Scan(&ua); err != nil || !strings.HasPrefix(ua, "Go-http-client") {
		t.Fatalf("audit user agent = %q, %v", ua, err)
	}
}

// TestTriggerLifecycle: triggers in both accepted forms; secrets (the
// URL, an Authorization header) are redacted in every answer; pausing a trigger an active monitor lists is
// refused with the validation problem.
func TestTriggerLifecycle(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	const fields = `id name type paused configuration problems`
	type trig struct {
		ID, Name, Type string
		Paused         bool
		Configuration  json.RawMessage
	}
	r := e.query(t, member, `mutation($t: JSON!) { createTrigger(trigger: $t) { `+fields+` } }`,
		map[string]any{"t": json.RawMessage(storetest.TriggerJSON("pager"))})
	created := decode[struct{ CreateTrigger trig }](t, r).CreateTrigger
	if created.Name != "pager" || created.Type != "webhook" || created.ID == "" {
		t.Fatalf("created = %+v", created)
	}
	r = e.query(t, member, `mutation($t: JSON!) { createTrigger(trigger: $t) { `+fields+` } }`,
		map[string]any{"t": json.RawMessage(`{"file_form": ` + storetest.TriggerJSON("Other") + `}`)})
	if got := decode[struct{ CreateTrigger trig }](t, r).CreateTrigger; got.Name != "file_form" {
		t.Fatalf("file form = %+v", got)
	}
	all := e.query(t, member, `{ triggers { `+fields+` } trigger(id: "ops_hook") { configuration } }`, nil)
	if len(all.Errors) > 0 || strings.Contains(string(all.Data), "hooks.example.org") || strings.Contains(string(r.Data), "hooks.example.org") ||
		strings.Contains(string(all.Data), "Bearer abc") || !strings.Contains(string(all.Data), `"Authorization":"[REDACTED]"`) {
		t.Fatalf("a webhook URL left the API: %s %+v", all.Data, all.Errors)
	}
	if r := e.query(t, member, `mutation { createTrigger(trigger: {a: {}, b: {}}) { id } }`, nil); r.code() != CodeBadInput || !strings.Contains(r.Errors[0].Message, "one entry") {
		t.Fatalf("two entries: %+v", r.Errors)
	}
	// ops_hook is listed by the fixture's active monitors.
	r = e.query(t, member, `mutation { pauseTrigger(id: "ops_hook") { paused } }`, nil)
	if r.code() != CodeValidationFailed || r.Errors[0].Extensions["file"] == nil {
		t.Fatalf("pause a listed trigger: %+v", r.Errors)
	}
	p := decode[struct{ PauseTrigger trig }](t, e.query(t, member, `mutation($id: ID!) { pauseTrigger(id: $id) { paused } }`, map[string]any{"id": created.ID}))
	if !p.PauseTrigger.Paused {
		t.Fatal("pauseTrigger: not paused")
	}
	rp := decode[struct{ ResumeTrigger trig }](t, e.query(t, member, `mutation { resumeTrigger(id: "pager") { paused } }`, nil))
	if rp.ResumeTrigger.Paused {
		t.Fatal("resumeTrigger: paused")
	}
	rt := e.query(t, member, `mutation($t: JSON!) { replaceTrigger(id: "pager", trigger: $t) { name configuration } }`,
		map[string]any{"t": json.RawMessage(storetest.TriggerJSON("Pager two"))})
	if got := decode[struct{ ReplaceTrigger trig }](t, rt).ReplaceTrigger; got.Name != "pager" || !strings.Contains(string(got.Configuration), "Pager two") {
		t.Fatalf("replaced = %+v", got)
	}
	if d := decode[struct{ DeleteTrigger bool }](t, e.query(t, member, `mutation { deleteTrigger(id: "pager") }`, nil)); !d.DeleteTrigger {
		t.Fatal("deleteTrigger: false")
	}
	if r := e.query(t, member, `{ trigger(id: "pager") { id } }`, nil); r.code() != CodeNotFound {
		t.Fatalf("deleted trigger: %+v", r.Errors)
	}
}

// TestWriteRefusals: a viewer may not write; validation problems come
// back one GraphQL error each with file and path; an unknown field is
// named; a quota refusal names the quota and its value; nothing is
// written by a refused change.
func TestWriteRefusals(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	viewer, _ := e.key(t, e.a, auth.RoleViewer, time.Time{})
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	create := `mutation($m: JSON!) { createMonitor(monitor: $m) { id } }`
	good := json.RawMessage(storetest.MonitorJSON("Whales", "stellar_testnet", "amount > 1", "ops_hook"))

	if r := e.query(t, viewer, create, map[string]any{"m": good}); r.code() != CodeForbidden {
		t.Fatalf("viewer write: %+v", r.Errors)
	}
	for _, q := range []string{`mutation { pauseMonitor(id: "Big swaps") { id } }`, `mutation { deleteTrigger(id: "ops_hook") }`,
		`mutation { importConfig(files: [{name: "monitors/x.json", content: {}}]) { monitors } }`} {
		if r := e.query(t, viewer, q, nil); r.code() != CodeForbidden {
			t.Errorf("viewer %s: %+v", q, r.Errors)
		}
	}

	// Two problems: a missing trigger and a missing network.
	bad := json.RawMessage(storetest.MonitorJSON("Broken", "no_such_net", "amount > 1", "no_such_trigger"))
	r := e.query(t, member, create, map[string]any{"m": bad})
	if r.code() != CodeValidationFailed || len(r.Errors) < 2 {
		t.Fatalf("invalid monitor: %+v", r.Errors)
	}
	for _, er := range r.Errors {
		if er.Extensions["code"] != CodeValidationFailed || er.Extensions["file"] == nil || er.Extensions["path"] == nil {
			t.Errorf("problem without code/file/path: %+v", er)
		}
	}
	joined := ""
	for _, er := range r.Errors {
		joined += er.Message + "\n"
	}
	if !strings.Contains(joined, "no_such_trigger") || !strings.Contains(joined, "no_such_net") {
		t.Fatalf("problems do not name what is missing:\n%s", joined)
	}

	// An unknown field is refused, named.
	var m map[string]any
	_ = json.Unmarshal(good, &m)
	m["colour"] = "blue"
	r = e.query(t, member, create, map[string]any{"m": m})
	if r.code() != CodeValidationFailed || !strings.Contains(r.Errors[0].Message, "colour") {
		t.Fatalf("unknown field: %+v", r.Errors)
	}
	if r := e.query(t, member, create, map[string]any{"m": "{not json"}); r.code() != CodeBadInput {
		t.Fatalf("string that is not JSON: %+v", r.Errors)
	}

	// max_monitors: the fixture has two.
	if _, err := e.st.Pool().Exec(context.Background(), `UPDATE tenants SET max_monitors = 2 WHERE id = $1`, e.a); err != nil {
		t.Fatal(err)
	}
	r = e.query(t, member, create, map[string]any{"m": good})
	if r.code() != CodeQuotaExceeded || r.Errors[0].Extensions["quota"] != "max_monitors" || r.Errors[0].Extensions["limit"] != float64(2) ||
		!strings.Contains(r.Errors[0].Message, "max_monitors is 2") {
		t.Fatalf("over quota: %+v", r.Errors)
	}
	list := decode[struct{ Monitors []monitorData }](t, e.query(t, member, `{ monitors { name } }`, nil))
	if len(list.Monitors) != 2 {
		t.Fatalf("a refused write wrote: %+v", list.Monitors)
	}
	var n int
	_ = e.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE tenant_id = $1`, e.a).Scan(&n)
	if n != 1 { // the fixture's import
		t.Fatalf("%d audit rows after refused writes, want the fixture's import only", n)
	}
}

// TestImportConfig: a whole directory through the same write path as
// ozmon import; a bad file is named in the error's extensions.
func TestImportConfig(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	q := `mutation($f: [FileInput!]!) { importConfig(files: $f) { networks monitors triggers skipped } }`
	files := []map[string]any{
		{"name": "monitors/orcas.json", "content": json.RawMessage(storetest.MonitorJSON("Orcas", "stellar_testnet", "amount > 7", "orca_hook"))},
		{"name": "triggers/hooks.json", "content": json.RawMessage(`{"orca_hook": ` + storetest.TriggerJSON("Orca hook") + `}`)},
	}
	res := decode[struct {
		ImportConfig struct {
			Networks, Monitors, Triggers int
			Skipped                      []string
		}
	}](t, e.query(t, member, q, map[string]any{"f": files}))
	if res.ImportConfig.Monitors != 1 || res.ImportConfig.Triggers != 1 || len(res.ImportConfig.Skipped) != 0 {
		t.Fatalf("import = %+v", res.ImportConfig)
	}
	if r := e.query(t, member, `{ monitor(id: "Orcas") { triggers } }`, nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "orca_hook") {
		t.Fatalf("imported monitor: %s %+v", r.Data, r.Errors)
	}
	bad := []map[string]any{{"name": "monitors/bad.json", "content": map[string]any{"name": "Bad", "networks": "not a list"}}}
	r := e.query(t, member, q, map[string]any{"f": bad})
	if r.code() != CodeValidationFailed || r.Errors[0].Extensions["file"] != "monitors/bad.json" {
		t.Fatalf("bad import: %+v", r.Errors)
	}
	dup := []map[string]any{files[0], files[0]}
	if r := e.query(t, member, q, map[string]any{"f": dup}); r.code() != CodeBadInput {
		t.Fatalf("duplicate file: %+v", r.Errors)
	}
}

// TestWriteReachesWatchChanges: a monitor created through the API reaches
// a LISTEN/NOTIFY listener (what the workers' registry reloads on).
func TestWriteReachesWatchChanges(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, nil)
	member, _ := e.key(t, e.a, auth.RoleMember, time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan string, 16)
	go func() { _ = e.st.WatchChanges(ctx, func(id string) { heard <- id }) }()
	deadline := time.After(30 * time.Second)
	// Write until the listener hears tenant A: the first write may land
	// before LISTEN is in place.
	for i := 0; ; i++ {
		js := json.RawMessage(storetest.MonitorJSON("Watched", "stellar_testnet", "amount > "+string(rune('1'+i%9)), "ops_hook"))
		if r := e.query(t, member, `mutation($m: JSON!) { createMonitor(monitor: $m) { id } }`, map[string]any{"m": js}); len(r.Errors) > 0 {
			t.Fatalf("create: %+v", r.Errors)
		}
		select {
		case id := <-heard:
			if id != e.a {
				t.Fatalf("heard tenant %s, want %s", id, e.a)
			}
			return
		case <-time.After(500 * time.Millisecond):
		case <-deadline:
			t.Fatal("no change notification for tenant A")
		}
	}
}
