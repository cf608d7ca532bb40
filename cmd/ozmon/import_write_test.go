package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// Import writes through tenantconfig.Apply: the write is audited as the
// operator's, and a refusal there (a monitor on a well-known network the
// registry lacks, which validates but has no row to hang off) leaves no
// tenant behind. Such a late refusal names the monitor's file as the
// write path lays items out (monitors/<name>.json).
func TestImportWritesThroughTheAuditedPath(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	ctx := context.Background()
	dir := writeImportDir(t, "https://rpc.example", "https://hooks.example/x")
	if code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "acme", "--register-networks", dir); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.AuditLog(ctx, tn.ID, "", 10)
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("audit = %+v, %v", page, err)
	}
	e := page.Entries[0]
	var changes map[string]any
	if err := json.Unmarshal(e.Changes, &changes); err != nil {
		t.Fatal(err)
	}
	if e.Action != "config_imported" || e.UserID != "" || e.APIKeyID != "" || changes["actor"] != "operator" ||
		changes["before"] != nil || changes["after"] == nil || strings.Contains(string(e.Changes), "hooks.example") {
		t.Fatalf("audit entry %+v %s", e, e.Changes)
	}

	mainnet := t.TempDir()
	mustWrite(t, filepath.Join(mainnet, "monitors", "m.json"), `{"name":"M","paused":false,"networks":["stellar_mainnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":[]}`)
	if err := os.MkdirAll(filepath.Join(mainnet, "networks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mainnet, "triggers"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "fresh", mainnet)
	if code != 1 || !strings.Contains(out, `monitors/M.json: networks[0]: network "stellar_mainnet" is defined neither`) ||
		!strings.Contains(errOut, "nothing imported") {
		t.Fatalf("import on an unregistered network: %d %q %q", code, out, errOut)
	}
	if _, err := st.TenantBySlug(ctx, "fresh"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused import left tenant fresh behind: %v", err)
	}
}
