package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
)

// CreateUser stores a user with an e-mail address (normalised with
// auth.NormalizeEmail) and an argon2id password hash (auth.HashPassword).
// A registered address wraps ErrExists.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string) (auth.UserRecord, error) {
	email = auth.NormalizeEmail(email)
	if email == "" || len(email) > 255 {
		return auth.UserRecord{}, fmt.Errorf("postgres: create user: e-mail must be 1 to 255 characters")
	}
	if passwordHash == "" {
		return auth.UserRecord{}, fmt.Errorf("postgres: create user %q: empty password hash", email)
	}
	var u auth.UserRecord
	err := s.pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, is_active) VALUES ($1, $2, true)
		RETURNING id::text, email, password_hash, true, COALESCE(created_at, 'epoch'::timestamptz)`, email, passwordHash).
		Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Active, &u.CreatedAt)
	if _, ok := isUniqueViolation(err); ok {
		return auth.UserRecord{}, fmt.Errorf("postgres: create user %q: %w", email, ErrExists)
	}
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("postgres: create user %q: %w", email, err)
	}
	return u, nil
}

// UserByEmail returns the user with this address (looked up normalised).
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.UserRecord, error) {
	email = auth.NormalizeEmail(email)
	var u auth.UserRecord
	err := s.pool.QueryRow(ctx, `SELECT id::text, email, password_hash, COALESCE(is_active, true),
		COALESCE(created_at, 'epoch'::timestamptz) FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Active, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.UserRecord{}, fmt.Errorf("postgres: user %q: %w", email, store.ErrNotFound)
	}
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("postgres: user %q: %w", email, err)
	}
	return u, nil
}

// SetUserActive enables or disables a user; a disabled user can neither
// log in nor use a session token (within the cache TTL).
func (s *Store) SetUserActive(ctx context.Context, userID string, active bool) error {
	if !validUUID(userID) {
		return fmt.Errorf("postgres: set user %s active: %w", userID, store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET is_active = $2 WHERE id = $1`, userID, active)
	if err != nil {
		return fmt.Errorf("postgres: set user %s active: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set user %s active: %w", userID, store.ErrNotFound)
	}
	return nil
}

// AddMembership makes the user a member of the tenant with role, or
// changes the role of an existing member. An unknown tenant or user wraps
// store.ErrNotFound.
func (s *Store) AddMembership(ctx context.Context, tenantID, userID string, role auth.Role) error {
	if auth.ParseRole(string(role)) != role {
		return fmt.Errorf("postgres: add user %s to tenant %s: role %q: want owner, admin, member or viewer", userID, tenantID, role)
	}
	if !validUUID(tenantID) || !validUUID(userID) {
		return fmt.Errorf("postgres: add user %s to tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role`, tenantID, userID, string(role))
	if isForeignKeyViolation(err) {
		return fmt.Errorf("postgres: add user %s to tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: add user %s to tenant %s: %w", userID, tenantID, err)
	}
	return nil
}

// RemoveMembership removes the user from the tenant.
func (s *Store) RemoveMembership(ctx context.Context, tenantID, userID string) error {
	if !validUUID(tenantID) || !validUUID(userID) {
		return fmt.Errorf("postgres: remove user %s from tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM tenant_memberships WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
	if err != nil {
		return fmt.Errorf("postgres: remove user %s from tenant %s: %w", userID, tenantID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: remove user %s from tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	return nil
}

const membershipColumns = `m.tenant_id::text, t.slug, COALESCE(t.is_active, true), m.user_id::text,
	COALESCE(u.is_active, true), m.role`

const membershipFrom = ` FROM tenant_memberships m JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id`

func scanMembership(row pgx.Row) (auth.Membership, error) {
	var m auth.Membership
	var role string
	err := row.Scan(&m.TenantID, &m.TenantSlug, &m.TenantActive, &m.UserID, &m.UserActive, &role)
	m.Role = auth.ParseRole(role)
	return m, err
}

// UserMemberships returns the tenants the user belongs to, by slug.
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]auth.Membership, error) {
	if !validUUID(userID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+membershipColumns+membershipFrom+` WHERE m.user_id = $1 ORDER BY t.slug`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: memberships of user %s: %w", userID, err)
	}
	defer rows.Close()
	var out []auth.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: memberships of user %s: %w", userID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: memberships of user %s: %w", userID, err)
	}
	return out, nil
}

// Membership returns the user's membership of the tenant.
func (s *Store) Membership(ctx context.Context, tenantID, userID string) (auth.Membership, error) {
	if !validUUID(tenantID) || !validUUID(userID) {
		return auth.Membership{}, fmt.Errorf("postgres: membership of user %s in tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	m, err := scanMembership(s.pool.QueryRow(ctx, `SELECT `+membershipColumns+membershipFrom+
		` WHERE m.tenant_id = $1 AND m.user_id = $2`, tenantID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Membership{}, fmt.Errorf("postgres: membership of user %s in tenant %s: %w", userID, tenantID, store.ErrNotFound)
	}
	if err != nil {
		return auth.Membership{}, fmt.Errorf("postgres: membership of user %s in tenant %s: %w", userID, tenantID, err)
	}
	return m, nil
}

// TenantMembers lists the tenant's members, by user id.
func (s *Store) TenantMembers(ctx context.Context, tenantID string) ([]auth.Membership, error) {
	if !validUUID(tenantID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+membershipColumns+membershipFrom+` WHERE m.tenant_id = $1 ORDER BY m.user_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("postgres: members of tenant %s: %w", tenantID, err)
	}
	defer rows.Close()
	var out []auth.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: members of tenant %s: %w", tenantID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: members of tenant %s: %w", tenantID, err)
	}
	return out, nil
}
