package chaos

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// TestRedisKillAndRestart: the harness's Redis loses everything on a kill
// without persistence and keeps acknowledged writes with AOF, on the same
// port both times.
func TestRedisKillAndRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		p    Persistence
		kept bool
	}{{NoPersistence, false}, {AOF, true}} {
		t.Run(tc.p.String(), func(t *testing.T) {
			r := StartRedis(t, tc.p)
			c := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1})
			defer c.Close()
			if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			r.Kill()
			if err := c.Ping(ctx).Err(); err == nil {
				t.Fatal("redis still answers after Kill")
			}
			r.Restart()
			got, err := c.Get(ctx, "k").Result()
			switch {
			case tc.kept && (err != nil || got != "v"):
				t.Fatalf("with AOF the write is gone after a restart: %q %v", got, err)
			case !tc.kept && err != redis.Nil:
				t.Fatalf("without persistence the write survived a restart: %q %v", got, err)
			}
		})
	}
}

// TestPGProxyCutStallRestore: through the proxy, PostgreSQL answers; a
// stall holds a query; a cut breaks the open connection and refuses new
// ones; Restore brings both back.
func TestPGProxyCutStallRestore(t *testing.T) {
	t.Parallel()
	db := CreateDatabase(t)
	p := StartPGProxy(t, db.Upstream())
	url := db.Via(p.Addr())
	query := func(conn *pgx.Conn, d time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		var n int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&n)
	}
	connect := func() (*pgx.Conn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return pgx.Connect(ctx, url)
	}
	conn, err := connect()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := query(conn, 2*time.Second); err != nil {
		t.Fatalf("query through the proxy: %v", err)
	}

	p.Stall()
	if err := query(conn, 300*time.Millisecond); err == nil {
		t.Fatal("a query went through a stalled proxy")
	}
	p.Restore()
	// The stalled query was cancelled mid-way: start afresh.
	conn.Close(context.Background())
	if conn, err = connect(); err != nil {
		t.Fatalf("connect after Restore: %v", err)
	}
	if err := query(conn, 2*time.Second); err != nil {
		t.Fatalf("query after Restore: %v", err)
	}

	p.Cut()
	if err := query(conn, 2*time.Second); err == nil {
		t.Fatal("a query went through a cut proxy")
	}
	if c, err := connect(); err == nil {
		c.Close(context.Background())
		t.Fatal("a new connection went through a cut proxy")
	}
	p.Restore()
	c, err := connect()
	if err != nil {
		t.Fatalf("connect after Restore: %v", err)
	}
	defer c.Close(context.Background())
	if err := query(c, 2*time.Second); err != nil {
		t.Fatalf("query after Restore: %v", err)
	}
}
