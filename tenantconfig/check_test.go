package tenantconfig_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

func TestCheckAcceptsWithoutWriting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	e.seed(t, id, p)
	if err := e.w.Check(ctx, id, p, monitor("m1", "t0")); err != nil {
		t.Fatalf("check of a valid monitor: %v", err)
	}
	cfg, err := e.w.Read(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cfg.Monitors); len(got) != 1 || got[0] != "m0" {
		t.Fatalf("monitors after check = %v, want only m0 (check wrote)", got)
	}
}

func TestCheckRefusesAsApplyWould(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id, p := e.tenant(t, "acme")
	otherID, other := e.tenant(t, "globex")
	e.seed(t, otherID, other) // globex has trigger t0; acme has none

	bad := tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON("m1", network, "amount >>> 1"))}
	ve := refused(t, e.w.Check(ctx, id, p, bad), tenantconfig.CodeValidationFailed)
	if len(ve.Problems) == 0 || ve.Problems[0].Path == "" || !strings.Contains(ve.Problems[0].Path, "match_conditions") {
		t.Fatalf("bad expression problems = %+v, want a match_conditions path", ve.Problems)
	}
	_, applyErr := e.w.Apply(ctx, id, p, bad)
	if ae := refused(t, applyErr, tenantconfig.CodeValidationFailed); len(ae.Problems) != len(ve.Problems) || ae.Problems[0] != ve.Problems[0] {
		t.Fatalf("check problems %+v differ from apply's %+v", ve.Problems, ae.Problems)
	}

	// Another tenant's trigger does not make acme's monitor valid.
	ve = refused(t, e.w.Check(ctx, id, p, monitor("m1", "t0")), tenantconfig.CodeValidationFailed)
	if !strings.HasPrefix(ve.Problems[0].Path, "triggers") || !strings.Contains(ve.Problems[0].Message, "t0") {
		t.Fatalf("foreign trigger problems = %+v", ve.Problems)
	}

	viewer := p
	viewer.Role = auth.RoleViewer
	refused(t, e.w.Check(ctx, id, viewer, monitor("m1")), tenantconfig.CodeForbidden)
	refused(t, e.w.Check(ctx, otherID, p, monitor("m1")), tenantconfig.CodeNotFound)

	e.setQuota(t, id, "max_monitors", 0)
	refused(t, e.w.Check(ctx, id, p, monitor("m1")), tenantconfig.CodeQuotaExceeded)
}
