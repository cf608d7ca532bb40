package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

// AuditEntry is one row of audit_logs.
type AuditEntry struct {
	ID           string
	TenantID     string
	UserID       string // empty: not a user (a key or the operator)
	APIKeyID     string // empty: not a key
	Action       string // tenant-db.md §1.7: monitor_created, trigger_deleted, config_imported, …
	ResourceType string // monitor, trigger, network, tenant
	ResourceID   string // row UUID; empty for a whole-config action
	Changes      json.RawMessage
	IPAddress    string // optional
	UserAgent    string // optional
	CreatedAt    time.Time
}

// Audit inserts e (its TenantID is the locked tenant's) in the
// transaction, so the log holds a write if and only if it happened.
func (c *ConfigTx) Audit(ctx context.Context, e AuditEntry) error {
	var ip *string
	if e.IPAddress != "" {
		if a, err := netip.ParseAddr(e.IPAddress); err == nil {
			s := a.String()
			ip = &s
		}
	}
	_, err := c.tx.Exec(ctx, `INSERT INTO audit_logs (tenant_id, user_id, api_key_id, action, resource_type, resource_id,
			changes, ip_address, user_agent)
		VALUES ($1, NULLIF($2, '')::uuid, NULLIF($3, '')::uuid, $4, NULLIF($5, ''), NULLIF($6, '')::uuid, $7, $8::inet, NULLIF($9, ''))`,
		c.tenant.ID, e.UserID, e.APIKeyID, e.Action, e.ResourceType, e.ResourceID, string(e.Changes), ip, e.UserAgent)
	if err != nil {
		return fmt.Errorf("postgres: audit %s of tenant %s: %w", e.Action, c.tenant.Slug, err)
	}
	return nil
}

// AuditPage is a page of a tenant's audit log, newest first; Next is the
// cursor of the following page, empty after the last.
type AuditPage struct {
	Entries []AuditEntry
	Next    string
}

// AuditLog returns up to limit (1–500) entries of the tenant's audit log
// older than cursor (empty: from the newest). The cursor is opaque to
// callers; a malformed one is an error naming it, never another tenant's
// page (the tenant is in every query).
func (s *Store) AuditLog(ctx context.Context, tenantID, cursor string, limit int) (AuditPage, error) {
	if !validUUID(tenantID) {
		return AuditPage{}, fmt.Errorf("postgres: audit log of tenant %s: %w", tenantID, store.ErrNotFound)
	}
	limit = min(max(limit, 1), 500)
	at, id := time.Now().Add(time.Hour), "ffffffff-ffff-ffff-ffff-ffffffffffff"
	if cursor != "" {
		var err error
		if at, id, err = decodeAuditCursor(cursor); err != nil {
			return AuditPage{}, fmt.Errorf("postgres: audit log of tenant %s: cursor: %w", tenantID, err)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id::text, tenant_id::text, COALESCE(user_id::text, ''), COALESCE(api_key_id::text, ''),
			action, COALESCE(resource_type, ''), COALESCE(resource_id::text, ''), COALESCE(changes, 'null'::jsonb),
			COALESCE(host(ip_address), ''), COALESCE(user_agent, ''), COALESCE(created_at, 'epoch'::timestamptz)
		FROM audit_logs WHERE tenant_id = $1 AND (created_at, id) < ($2, $3::uuid)
		ORDER BY created_at DESC, id DESC LIMIT $4`, tenantID, at, id, limit+1)
	if err != nil {
		return AuditPage{}, fmt.Errorf("postgres: audit log of tenant %s: %w", tenantID, err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		var changes []byte
		err := r.Scan(&e.ID, &e.TenantID, &e.UserID, &e.APIKeyID, &e.Action, &e.ResourceType, &e.ResourceID,
			&changes, &e.IPAddress, &e.UserAgent, &e.CreatedAt)
		e.Changes = changes
		return e, err
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("postgres: audit log of tenant %s: %w", tenantID, err)
	}
	var p AuditPage
	if len(entries) > limit {
		entries = entries[:limit]
		last := entries[limit-1]
		p.Next = encodeAuditCursor(last.CreatedAt, last.ID)
	}
	p.Entries = entries
	return p, nil
}

// errNotAuditCursor is the caller's mistake, not the store's.
var errNotAuditCursor = fmt.Errorf("not a cursor this API returned: %w", store.ErrInvalid)

func encodeAuditCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeAuditCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", errNotAuditCursor
	}
	ts, id, ok := strings.Cut(string(b), "|")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || !validUUID(id) {
		return time.Time{}, "", errNotAuditCursor
	}
	return at, id, nil
}
