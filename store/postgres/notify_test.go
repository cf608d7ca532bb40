package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/storetest"
)

func watch(t *testing.T, s *Store) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan string, 100)
	done := make(chan error, 1)
	go func() { done <- s.WatchChanges(ctx, func(id string) { ch <- id }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchChanges returned %v after cancel", err)
		}
	})
	return ch
}

func TestWatchChangesSeesMonitorUpdate(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	c := importFixture(t, s, "gamma", standardFixture())
	ch := watch(t, s)

	// Keep writing until the watcher (which may still be connecting) hears
	// it; each write is a real change.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			_, _ = s.pool.Exec(ctx, `UPDATE tenant_monitors SET configuration = jsonb_set(configuration, '{paused}', to_jsonb($2::int % 2 = 1))
				WHERE tenant_id = $1 AND name = 'Big swaps'`, b, i)
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	storetest.WaitChange(t, ch, b)

	// A writer whose search_path does not include the schema (the tenant
	// API with its own settings) still triggers a notification on the
	// schema's channel.
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	other := openPool(t, testkit.PostgresURL())
	table := pgx.Identifier{schema, "tenant_triggers"}.Sanitize()
	go func() {
		for i := 0; ; i++ {
			_, _ = other.Exec(ctx, `UPDATE `+table+` SET is_active = ($2::int % 2 = 0) WHERE tenant_id = $1 AND name = 'big_hook'`, a, i)
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	storetest.WaitChange(t, ch, a)

	// Tier changes (ozmon_tenant_settings) and tenant deletion count too.
	// (gamma is written by nothing else, so its id arrives only from these.)
	if err := s.SetTenantTier(ctx, c, "high"); err != nil {
		t.Fatal(err)
	}
	storetest.WaitChange(t, ch, c)
	if _, err := s.pool.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, c); err != nil {
		t.Fatal(err)
	}
	storetest.WaitChange(t, ch, c)
}

// TestWatchChangesPollsWhenNotificationsAreLost uses a store listening on
// a channel nothing notifies, so only the periodic fingerprint comparison
// can report the change.
func TestWatchChangesPollsWhenNotificationsAreLost(t *testing.T) {
	t.Parallel()
	s, url := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	deaf, err := Open(ctx, url, WithNotifyChannel("ozmon_nobody_sends_here"), WithReloadInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer deaf.Close()
	ch := watch(t, deaf)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			_, _ = s.pool.Exec(ctx, `UPDATE tenant_triggers SET is_active = ($2::int % 2 = 0) WHERE tenant_id = $1 AND name = 'big_hook'`, a, i)
			select {
			case <-stop:
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
	storetest.WaitChange(t, ch, a)
}

// TestWatchChangesSurvivesLostConnection kills the listening connection
// and checks that changes are still reported after the watcher reconnects.
func TestWatchChangesSurvivesLostConnection(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	ch := watch(t, s)
	listen := "LISTEN " + pgx.Identifier{s.channel}.Sanitize()
	killed := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = $1`, listen).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			killed = true
			break
		}
	}
	if !killed {
		t.Fatal("the listening connection never showed up in pg_stat_activity")
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			_, _ = s.pool.Exec(ctx, `UPDATE tenant_monitors SET is_active = ($2::int % 2 = 0) WHERE tenant_id = $1 AND name = 'Small swaps'`, a, i)
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	storetest.WaitChange(t, ch, a)
}
