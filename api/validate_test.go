package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

const validateQuery = `query($m: JSON!) { validateMonitor(monitor: $m) { code message file path } }`

type problemData struct{ Code, Message, File, Path string }

// TestValidateMonitor: validateMonitor answers createMonitor's verdict
// without writing, from the caller's tenant only, to writers only.
func TestValidateMonitor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validate := func(token, js string) gqlResponse {
		return e.query(t, token, validateQuery, map[string]any{"m": json.RawMessage(js)})
	}

	ok := decode[struct{ ValidateMonitor []problemData }](t, validate("a-owner",
		storetest.MonitorJSON("Fresh", "stellar_testnet", "amount > 5"))).ValidateMonitor
	if ok == nil || len(ok) != 0 {
		t.Fatalf("valid monitor: problems = %+v, want an empty list", ok)
	}
	list := decode[struct{ Monitors []struct{ Name string } }](t, e.query(t, "a-owner", `{ monitors { name } }`, nil))
	for _, m := range list.Monitors {
		if m.Name == "Fresh" {
			t.Fatal("validateMonitor stored the monitor")
		}
	}

	bad := decode[struct{ ValidateMonitor []problemData }](t, validate("a-owner",
		storetest.MonitorJSON("Fresh", "stellar_testnet", "amount >>> 5"))).ValidateMonitor
	if len(bad) == 0 || bad[0].Code != "VALIDATION_FAILED" || !strings.Contains(bad[0].Path, "match_conditions") || bad[0].Message == "" {
		t.Fatalf("bad expression: problems = %+v, want one at match_conditions", bad)
	}

	// bravo's trigger does not make acme's monitor valid.
	if _, err := tenantconfig.New(e.st).Apply(context.Background(), e.b, auth.Principal{Operator: true},
		tenantconfig.PutTrigger{Key: "bravo_only", JSON: []byte(storetest.TriggerJSON("bravo_only"))}); err != nil {
		t.Fatalf("create bravo's trigger: %v", err)
	}
	js := storetest.MonitorJSON("Fresh", "stellar_testnet", "amount > 5", "bravo_only")
	if got := decode[struct{ ValidateMonitor []problemData }](t, validate("b-owner", js)).ValidateMonitor; len(got) != 0 {
		t.Fatalf("bravo's own trigger: problems = %+v, want none", got)
	}
	foreign := decode[struct{ ValidateMonitor []problemData }](t, validate("a-owner", js)).ValidateMonitor
	if len(foreign) == 0 || !strings.HasPrefix(foreign[0].Path, "triggers") || !strings.Contains(foreign[0].Message, "bravo_only") {
		t.Fatalf("acme with bravo's trigger: problems = %+v, want an unknown trigger", foreign)
	}

	if r := validate("a-viewer", storetest.MonitorJSON("Fresh", "stellar_testnet", "amount > 5")); r.code() != CodeForbidden {
		t.Fatalf("viewer: %q %+v, want FORBIDDEN", r.code(), r.Errors)
	}
	if r := e.query(t, "a-owner", validateQuery, map[string]any{"m": "{not json"}); r.code() != CodeBadInput {
		t.Fatalf("string that is not JSON: %q %+v, want BAD_USER_INPUT", r.code(), r.Errors)
	}
}
