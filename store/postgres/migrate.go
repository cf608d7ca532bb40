package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded SQL file, named NNNN_name.sql.
type migration struct {
	version  int
	name     string
	sql      string
	checksum string
}

// loadMigrations reads the embedded files in version order.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		file := e.Name()
		num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", file)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration files %s and %s share version %d", prev, file, v)
		}
		seen[v] = file
		b, err := migrationFS.ReadFile(path.Join("migrations", file))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", file, err)
		}
		sum := sha256.Sum256(b)
		ms = append(ms, migration{version: v, name: name, sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate brings the schema in the search_path's first schema up to date
// and stores this store's notify channel. It runs in one transaction under
// a transaction-scoped advisory lock keyed by the schema, so pods starting
// together migrate one after the other and a failure leaves nothing half
// applied.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, 0)
}

// migrateTo is Migrate stopping after version upTo (0: the last), so tests
// can build an older schema, fill it and upgrade it.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('ozmon_migrate:' || current_schema()))`); err != nil {
		return fmt.Errorf("postgres: migrate: take advisory lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS ozmon_schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		checksum TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: create ozmon_schema_migrations: %w", err)
	}
	applied := map[int]string{}
	rows, err := tx.Query(ctx, `SELECT version, checksum FROM ozmon_schema_migrations`)
	if err != nil {
		return fmt.Errorf("postgres: migrate: read applied versions: %w", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("postgres: migrate: read applied versions: %w", err)
		}
		applied[v] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: migrate: read applied versions: %w", err)
	}

	for _, m := range ms {
		if upTo > 0 && m.version > upTo {
			break
		}
		if sum, ok := applied[m.version]; ok {
			if sum != m.checksum {
				// An edited migration is not re-run (it may not be
				// idempotent); say so instead of failing every start.
				s.log.Warn("postgres: applied migration differs from the embedded one",
					"version", m.version, "name", m.name)
			}
			continue
		}
		// No arguments: pgx sends the file with the simple protocol,
		// which accepts several statements.
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("postgres: migrate: apply %04d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ozmon_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
			m.version, m.name, m.checksum); err != nil {
			return fmt.Errorf("postgres: migrate: record %04d_%s: %w", m.version, m.name, err)
		}
		s.log.Info("postgres: applied migration", "version", m.version, "name", m.name)
	}

	if _, err := tx.Exec(ctx, `INSERT INTO ozmon_settings (name, value) VALUES ('notify_channel', $1)
		ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = NOW()
		WHERE ozmon_settings.value IS DISTINCT FROM EXCLUDED.value`, s.channel); err != nil {
		return fmt.Errorf("postgres: migrate: store notify channel %s: %w", s.channel, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration version, 0 when none.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM ozmon_schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}
