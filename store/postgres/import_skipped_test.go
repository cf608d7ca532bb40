package postgres

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Triggers no monitor uses are skipped with one log line, however many
// there are: a tenant's file of 2,000 unused triggers must not write 2,000
// warnings.
func TestImportLogsSkippedTriggersOnce(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s, _ := openTestStore(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	f := standardFixture()
	for i := range 2000 {
		f.Triggers[fmt.Sprintf("unused-%04d", i)] = triggerJSON(fmt.Sprintf("unused %d", i))
	}
	importFixture(t, s, "acme", f)
	lines := strings.Count(logs.String(), "triggers skipped")
	if lines != 1 || !strings.Contains(logs.String(), "count=2000") {
		t.Fatalf("%d log lines about skipped triggers, want 1 with count=2000:\n%.2000s", lines, logs.String())
	}
	if len(logs.String()) > 4<<10 {
		t.Fatalf("the import logged %d bytes", len(logs.String()))
	}
}
