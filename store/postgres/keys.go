package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
)

// ErrExists is wrapped when a row to create collides with an existing one
// (a tenant slug, a user's e-mail).
var ErrExists = errors.New("already exists")

// keyColumns reads an api_keys row (k) with its tenant (t). NULL flags
// read as the columns' defaults.
const keyColumns = `k.id::text, k.tenant_id::text, t.slug, COALESCE(t.is_active, true), k.name, k.key_hash,
	COALESCE(k.permissions, '[]'::jsonb), COALESCE(k.is_active, true), k.expires_at, k.last_used_at,
	COALESCE(k.created_at, 'epoch'::timestamptz)`

const keyFrom = ` FROM api_keys k JOIN tenants t ON t.id = k.tenant_id`

func scanKey(row pgx.Row) (auth.KeyRecord, error) {
	var k auth.KeyRecord
	var perms []byte
	var expires, used *time.Time
	err := row.Scan(&k.ID, &k.TenantID, &k.TenantSlug, &k.TenantActive, &k.Name, &k.Hash, &perms, &k.Active,
		&expires, &used, &k.CreatedAt)
	k.Role = auth.KeyRole(perms)
	if expires != nil {
		k.ExpiresAt = *expires
	}
	if used != nil {
		k.LastUsedAt = *used
	}
	return k, err
}

// CreateAPIKey stores a key made by auth.NewKey (its id, hash, role and
// expiry) for rec.TenantID. An unknown tenant wraps store.ErrNotFound.
func (s *Store) CreateAPIKey(ctx context.Context, rec auth.KeyRecord) (auth.KeyRecord, error) {
	if !validUUID(rec.TenantID) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: create API key for tenant %s: %w", rec.TenantID, store.ErrNotFound)
	}
	if !validUUID(rec.ID) || rec.Hash == "" || rec.Name == "" {
		return auth.KeyRecord{}, fmt.Errorf("postgres: create API key for tenant %s: id, name and hash are required (make the key with auth.NewKey)", rec.TenantID)
	}
	var expires *time.Time
	if !rec.ExpiresAt.IsZero() {
		expires = &rec.ExpiresAt
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO api_keys (id, tenant_id, name, key_hash, permissions, expires_at, is_active)
		VALUES ($1, $2, $3, $4, $5, $6, true)`, rec.ID, rec.TenantID, rec.Name, rec.Hash, auth.KeyPermissions(rec.Role), expires)
	if isForeignKeyViolation(err) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: create API key for tenant %s: %w", rec.TenantID, store.ErrNotFound)
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("postgres: create API key for tenant %s: %w", rec.TenantID, err)
	}
	return s.APIKey(ctx, rec.TenantID, rec.ID)
}

// APIKeys lists a tenant's keys, oldest first, without their hashes.
func (s *Store) APIKeys(ctx context.Context, tenantID string) ([]auth.KeyRecord, error) {
	if !validUUID(tenantID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list API keys of tenant %s: %w", tenantID, err)
	}
	defer rows.Close()
	var out []auth.KeyRecord
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list API keys of tenant %s: %w", tenantID, err)
		}
		k.Hash = ""
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list API keys of tenant %s: %w", tenantID, err)
	}
	return out, nil
}

// APIKey returns one of the tenant's keys, without its hash. A key of
// another tenant is not found, exactly like a key that does not exist.
func (s *Store) APIKey(ctx context.Context, tenantID, keyID string) (auth.KeyRecord, error) {
	if !validUUID(tenantID) || !validUUID(keyID) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s of tenant %s: %w", keyID, tenantID, store.ErrNotFound)
	}
	k, err := scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1 AND k.tenant_id = $2`, keyID, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s of tenant %s: %w", keyID, tenantID, store.ErrNotFound)
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s of tenant %s: %w", keyID, tenantID, err)
	}
	k.Hash = ""
	return k, nil
}

// RevokeAPIKey deactivates one of the tenant's keys (is_active = false);
// revoking a revoked key succeeds. Authenticators stop accepting it within
// their cache TTL.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, keyID string) error {
	if !validUUID(tenantID) || !validUUID(keyID) {
		return fmt.Errorf("postgres: revoke API key %s of tenant %s: %w", keyID, tenantID, store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE api_keys SET is_active = false WHERE id = $1 AND tenant_id = $2`, keyID, tenantID)
	if err != nil {
		return fmt.Errorf("postgres: revoke API key %s of tenant %s: %w", keyID, tenantID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: revoke API key %s of tenant %s: %w", keyID, tenantID, store.ErrNotFound)
	}
	return nil
}

// APIKeyByID returns a key with its hash, whichever tenant owns it: the
// one lookup not scoped by tenant, because authentication learns the
// tenant from the key (auth.Store).
func (s *Store) APIKeyByID(ctx context.Context, keyID string) (auth.KeyRecord, error) {
	if !validUUID(keyID) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s: %w", keyID, store.ErrNotFound)
	}
	k, err := scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1`, keyID))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s: %w", keyID, store.ErrNotFound)
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("postgres: API key %s: %w", keyID, err)
	}
	return k, nil
}

// TouchAPIKey sets the key's last_used_at to at, unless it is already
// within a minute of it: processes sharing the database write about once a
// minute per key, not once per request.
func (s *Store) TouchAPIKey(ctx context.Context, keyID string, at time.Time) error {
	if !validUUID(keyID) {
		return fmt.Errorf("postgres: record use of API key %s: %w", keyID, store.ErrNotFound)
	}
	_, err := s.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $2::timestamptz
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`, keyID, at)
	if err != nil {
		return fmt.Errorf("postgres: record use of API key %s: %w", keyID, err)
	}
	return nil
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
