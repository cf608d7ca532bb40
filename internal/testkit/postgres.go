package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresURL is the machine's PostgreSQL (trust auth, database test),
// overridable with OZ_TEST_DATABASE_URL.
func PostgresURL() string {
	if u := os.Getenv("OZ_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PostgresSchema creates a schema of the test's own on the real server and
// returns a connection string whose search_path points at it, plus the
// schema's name. The schema is dropped when the test ends.
func PostgresSchema(tb testing.TB) (url, schema string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, PostgresURL())
	if err != nil {
		tb.Fatalf("postgres at %s is not reachable (start it, or run .ci/run which does): %v", PostgresURL(), err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema = "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), PostgresURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	cfg, err := pgx.ParseConfig(PostgresURL())
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresURL(), err)
	}
	_ = cfg
	sep := "?"
	if containsQuery(PostgresURL()) {
		sep = "&"
	}
	return PostgresURL() + sep + "search_path=" + schema, schema
}

// PostgresPool is PostgresSchema with an open pool closed with the test.
func PostgresPool(tb testing.TB) (*pgxpool.Pool, string) {
	tb.Helper()
	url, schema := PostgresSchema(tb)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		tb.Fatalf("open pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool, schema
}

func containsQuery(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return true
		}
	}
	return false
}
