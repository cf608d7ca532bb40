package postgres

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/storetest"
)

// openTestStore opens a Store on a schema of the test's own, with a notify
// channel of its own, and migrates it.
func openTestStore(tb testing.TB, opts ...Option) (*Store, string) {
	tb.Helper()
	url, schema := testkit.PostgresSchema(tb)
	ctx := context.Background()
	all := append([]Option{WithNotifyChannel("ozmon_" + schema)}, opts...)
	s, err := Open(ctx, url, all...)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s, url
}

// The fixtures are the conformance suite's, so a tenant here is one the
// suite also stores.
type fixture = storetest.Fixture

func networkJSON(slug string) string { return storetest.NetworkJSON(slug) }

func monitorJSON(name, network, expression string, triggers ...string) string {
	return storetest.MonitorJSON(name, network, expression, triggers...)
}

func triggerJSON(title string) string { return storetest.TriggerJSON(title) }

func standardFixture() fixture { return storetest.StandardFixture() }

func importFixture(tb testing.TB, s *Store, slug string, f fixture) string {
	tb.Helper()
	cfg, raw := f.Build(tb)
	id, err := s.ImportTenant(context.Background(), slug, cfg, raw)
	if err != nil {
		tb.Fatalf("import tenant %s: %v", slug, err)
	}
	return id
}

func sortedMapKeys[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }
