package tenantconfig_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

func TestPutMonitorCreatesReplacesAndKeepsPause(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	res := e.apply(t, id, p, monitor("m1"))
	if res.Action != "monitor_created" || res.ResourceType != "monitor" || res.Name != "m1" || res.ResourceID == "" {
		t.Fatalf("create: %+v", res)
	}
	e.apply(t, id, p, tenantconfig.SetMonitorActive{Name: "m1", Active: false})
	res2 := e.apply(t, id, p, tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m1", network, "amount > 7"))})
	if res2.Action != "monitor_updated" || res2.ResourceID != res.ResourceID {
		t.Fatalf("replace: %+v, first %+v", res2, res)
	}
	cfg, err := e.w.Read(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Monitors) != 1 || !cfg.Monitors[0].Paused || !strings.Contains(string(cfg.Monitors[0].JSON), "amount > 7") {
		t.Fatalf("monitors after replace = %+v", cfg.Monitors)
	}
	// The monitor hangs off a tenant copy of the operator's network.
	if got := names(cfg.Networks); !slices.Equal(got, []string{network}) {
		t.Fatalf("networks = %v", got)
	}
	tc, err := e.st.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Config.Monitors["m1"] != nil {
		t.Fatal("a paused monitor was loaded")
	}
	e.apply(t, id, p, tenantconfig.SetMonitorActive{Name: "m1", Active: true})
	if tc, _ = e.st.TenantConfig(ctx, id); tc.Config.Monitors["m1"] == nil || len(tc.Problems) > 0 {
		t.Fatalf("resumed monitor not loaded: %v", tc.Problems)
	}
}

func TestPutMonitorRefusesWithFileAndPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.seed(t, id, p)
	cases := []struct {
		name       string
		change     tenantconfig.Change
		file, path string
		msg        string
	}{
		{"malformed JSON", tenantconfig.PutMonitor{JSON: []byte(`{"name": "x",`)}, "monitor", "", ""},
		{"unknown field", tenantconfig.PutMonitor{JSON: []byte(strings.Replace(storetest.MonitorJSON("x", network, "amount > 1"),
			`"paused"`, `"bogus": 1, "paused"`, 1))}, "monitor", "", `unknown field "bogus"`},
		{"missing trigger", monitor("m1", "nope"), "monitors/m1.json", "triggers", "nope"},
		{"missing network", tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m1", "nowhere", "amount > 1"))},
			"monitors/m1.json", "networks", "nowhere"},
		{"bad expression", tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m1", network, "amount >>> 1"))},
			"monitor", "match_conditions", ""},
		{"trigger to loopback (SSRF guard)", tenantconfig.PutTrigger{Key: "evil", JSON: []byte(strings.Replace(
			storetest.TriggerJSON("evil"), "https://hooks.example.org/evil", "http://127.0.0.1:6379/", 1))}, "triggers/evil.json", "evil", "127.0.0.1"},
		{"trigger not JSON", tenantconfig.PutTrigger{Key: "x", JSON: []byte(`{`)}, "trigger", "", "not valid JSON"},
		{"trigger without key", tenantconfig.PutTrigger{JSON: []byte(storetest.TriggerJSON("x"))}, "trigger", "", "key is empty"},
	}
	for _, c := range cases {
		_, err := e.w.Apply(ctx, id, p, c.change)
		ve := refused(t, err, tenantconfig.CodeValidationFailed)
		if len(ve.Problems) == 0 {
			t.Fatalf("%s: no problems", c.name)
		}
		pr := ve.Problems[0]
		if pr.File != c.file || !strings.HasPrefix(pr.Path, c.path) || !strings.Contains(pr.Message, c.msg) ||
			!strings.HasPrefix(pr.Message, pr.File) {
			t.Errorf("%s: problem %+v, want file %q, path %q…, message with %q", c.name, pr, c.file, c.path, c.msg)
		}
	}
	cfg, _ := e.w.Read(ctx, id)
	if got := names(cfg.Monitors); !slices.Equal(got, []string{"m0"}) || len(cfg.Triggers) != 1 {
		t.Fatalf("a refused change wrote: monitors %v, triggers %v", got, names(cfg.Triggers))
	}
	page, err := e.st.AuditLog(ctx, id, "", 100)
	if err != nil || len(page.Entries) != 3 {
		t.Fatalf("audit rows = %d (%v), want the seed's 3 only", len(page.Entries), err)
	}
}

func TestDeleteMonitor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.seed(t, id, p)
	_, err := e.w.Apply(ctx, id, p, tenantconfig.DeleteMonitor{Name: "nope"})
	refused(t, err, tenantconfig.CodeNotFound)
	// The last monitor takes the tenant's triggers with it (foreign key):
	// refused.
	_, err = e.w.Apply(ctx, id, p, tenantconfig.DeleteMonitor{Name: "m0"})
	refused(t, err, tenantconfig.CodeConflict)

	// m0 owns t0's row; deleting m0 hands t0 to m1, which lists it.
	e.apply(t, id, p, monitor("m1", "t0"))
	res := e.apply(t, id, p, tenantconfig.DeleteMonitor{Name: "m0"})
	if res.Action != "monitor_deleted" || res.ResourceID == "" {
		t.Fatalf("delete: %+v", res)
	}
	cfg, _ := e.w.Read(ctx, id)
	if !slices.Equal(names(cfg.Monitors), []string{"m1"}) || !slices.Equal(names(cfg.Triggers), []string{"t0"}) {
		t.Fatalf("after delete: monitors %v, triggers %v", names(cfg.Monitors), names(cfg.Triggers))
	}
	tc, _ := e.st.TenantConfig(ctx, id)
	if tc.Config.Monitors["m1"] == nil || tc.Config.Triggers["t0"] == nil || len(tc.Problems) > 0 {
		t.Fatalf("load after delete: %v", tc.Problems)
	}
}

func TestTriggers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	// Every trigger row belongs to a monitor: none yet.
	_, err := e.w.Apply(ctx, id, p, trigger("t0"))
	refused(t, err, tenantconfig.CodeConflict)
	e.seed(t, id, p)
	res := e.apply(t, id, p, trigger("t1"))
	if res.Action != "trigger_created" {
		t.Fatalf("put: %+v", res)
	}
	if res = e.apply(t, id, p, trigger("t1")); res.Action != "trigger_updated" {
		t.Fatalf("replace: %+v", res)
	}
	// t0 is listed by the active m0: deleting or pausing it would drop m0.
	_, err = e.w.Apply(ctx, id, p, tenantconfig.DeleteTrigger{Key: "t0"})
	if ve := refused(t, err, tenantconfig.CodeValidationFailed); !strings.Contains(ve.Problems[0].Message, "t0") {
		t.Fatalf("problem %+v does not name t0", ve.Problems[0])
	}
	_, err = e.w.Apply(ctx, id, p, tenantconfig.SetTriggerActive{Key: "t0", Active: false})
	refused(t, err, tenantconfig.CodeValidationFailed)
	_, err = e.w.Apply(ctx, id, p, tenantconfig.DeleteTrigger{Key: "nope"})
	refused(t, err, tenantconfig.CodeNotFound)
	_, err = e.w.Apply(ctx, id, p, tenantconfig.SetTriggerActive{Key: "nope"})
	refused(t, err, tenantconfig.CodeNotFound)

	if res = e.apply(t, id, p, tenantconfig.SetTriggerActive{Key: "t1", Active: false}); res.Action != "trigger_disabled" {
		t.Fatalf("pause: %+v", res)
	}
	tc, _ := e.st.TenantConfig(ctx, id)
	if tc.Config.Triggers["t1"] != nil || tc.Config.Triggers["t0"] == nil {
		t.Fatalf("loaded triggers after pausing t1: %v", tc.Config.Triggers)
	}
	e.apply(t, id, p, tenantconfig.SetTriggerActive{Key: "t1", Active: true})
	if res = e.apply(t, id, p, tenantconfig.DeleteTrigger{Key: "t1"}); res.Action != "trigger_deleted" {
		t.Fatalf("delete: %+v", res)
	}
	// A stored trigger's secrets are not shown.
	cfg, _ := e.w.Read(ctx, id)
	if s := string(cfg.Triggers[0].JSON); strings.Contains(s, "hooks.example.org") || !strings.Contains(s, "webhook") {
		t.Fatalf("trigger as read: %s", s)
	}
	if s := string(cfg.Networks[0].JSON); strings.Contains(s, "rpc.example.org") {
		t.Fatalf("network as read: %s", s)
	}
}

func TestImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	files := map[string][]byte{
		"networks/own_net.json": []byte(storetest.NetworkJSON("own_net")),
		"monitors/a.json":       []byte(storetest.MonitorJSON("A", "own_net", "amount > 1", "hook")),
		"monitors/b.json":       []byte(storetest.MonitorJSON("B", network, "amount > 2", "hook")),
		"triggers/t.json":       []byte(`{"hook": ` + storetest.TriggerJSON("hook") + `}`),
	}
	res := e.apply(t, id, p, tenantconfig.Import{Files: files})
	if res.Action != "config_imported" || res.ResourceType != "tenant" || res.ResourceID != id || res.Written != 4 {
		t.Fatalf("import: %+v", res)
	}
	tc, err := e.st.TenantConfig(ctx, id)
	if err != nil || len(tc.Problems) > 0 || len(tc.Config.Monitors) != 2 || tc.Config.Triggers["hook"] == nil {
		t.Fatalf("load after import: %v, problems %v", err, tc.Problems)
	}

	// Problems name the tenant's files.
	bad := map[string][]byte{
		"monitors/c.json": []byte(storetest.MonitorJSON("C", network, "amount > 1", "missing")),
		"readme.txt":      []byte("hi"),
	}
	_, err = e.w.Apply(ctx, id, p, tenantconfig.Import{Files: bad})
	ve := refused(t, err, tenantconfig.CodeValidationFailed)
	if ve.Problems[0].File != "readme.txt" {
		t.Fatalf("problems %+v", ve.Problems)
	}
	delete(bad, "readme.txt")
	_, err = e.w.Apply(ctx, id, p, tenantconfig.Import{Files: bad})
	ve = refused(t, err, tenantconfig.CodeValidationFailed)
	if ve.Problems[0].File != "monitors/c.json" || !strings.Contains(ve.Problems[0].Message, "missing") {
		t.Fatalf("problems %+v", ve.Problems)
	}
	_, err = e.w.Apply(ctx, id, p, tenantconfig.Import{})
	refused(t, err, tenantconfig.CodeValidationFailed)
	// A monitor file that takes the whole over a limit.
	huge := map[string][]byte{"monitors/h.json": []byte(strings.Repeat(" ", 5<<20) + "{}")}
	_, err = e.w.Apply(ctx, id, p, tenantconfig.Import{Files: huge})
	refused(t, err, tenantconfig.CodeValidationFailed)
}
