package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/store"
)

// maxAuditPage bounds auditLog's `first` (the store's page bound).
const maxAuditPage = 500

func (r *queryResolver) AuditLog(ctx context.Context, first *int, after *string) (*AuditConnection, error) {
	p, err := tenantCaller(ctx, "auditLog", canManage)
	if err != nil {
		return nil, err
	}
	n := 50
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxAuditPage {
		return nil, badInput("auditLog: first is %d; give 1 to %d", n, maxAuditPage)
	}
	page, err := r.o.writer.AuditLog(ctx, p.TenantID, p, deref(after), n)
	if errors.Is(err, store.ErrInvalid) {
		return nil, badInput("auditLog: after: %q is not a cursor this API returned", clip(deref(after)))
	}
	if err != nil {
		return nil, configError(ctx, fmt.Errorf("read audit log of tenant %s: %w", p.TenantID, err))
	}
	conn := &AuditConnection{Nodes: make([]AuditEntry, 0, len(page.Entries)), PageInfo: &PageInfo{}}
	for _, e := range page.Entries {
		a := AuditEntry{ID: e.ID, Action: e.Action, ResourceType: e.ResourceType, ResourceID: opt(e.ResourceID), CreatedAt: e.CreatedAt}
		var ch struct {
			Actor string `json:"actor"`
		}
		if len(e.Changes) > 0 {
			_ = json.Unmarshal(e.Changes, &ch)
			a.Details = e.Changes
		}
		a.Actor = actorOf(ch.Actor, e.UserID, e.APIKeyID)
		conn.Nodes = append(conn.Nodes, a)
	}
	if page.Next != "" {
		c := page.Next
		conn.PageInfo.EndCursor, conn.PageInfo.HasNextPage = &c, true
	}
	return conn, nil
}

// actorOf names who made an audited change: as the write path recorded
// it, else from the row's user and key columns (rows written by other
// tools).
func actorOf(recorded, userID, keyID string) string {
	switch {
	case recorded != "":
		return recorded
	case userID != "":
		return "user:" + userID
	case keyID != "":
		return "key:" + keyID
	}
	return "operator"
}
