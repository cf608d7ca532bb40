package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ozmon/ozmon/auth"
)

// keyShownPrefix is how much of a key listings show: "smt_" and the
// first characters of its id, enough to recognise it, nothing secret.
const keyShownPrefix = 12

func (r *queryResolver) APIKeys(ctx context.Context) ([]APIKey, error) {
	p, err := tenantCaller(ctx, "apiKeys", canManage)
	if err != nil {
		return nil, err
	}
	list, err := r.o.store.APIKeys(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list API keys of tenant %s: %w", p.TenantID, err)
	}
	out := make([]APIKey, 0, len(list))
	for _, k := range list {
		out = append(out, apiKeyOf(k))
	}
	return out, nil
}

func (r *mutationResolver) CreateAPIKey(ctx context.Context, name string, role Role, expiresAt *time.Time) (*CreatedAPIKey, error) {
	p, err := tenantCaller(ctx, "createApiKey", canManage)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 255 {
		return nil, badInput("createApiKey: name must be 1 to 255 bytes")
	}
	ar := auth.Role(strings.ToLower(string(role)))
	if ar == auth.RoleOwner {
		return nil, badInput("createApiKey: role OWNER: a key is at most ADMIN (owners are users)")
	}
	// A key may not be more capable than whoever makes it.
	if ar == auth.RoleAdmin && !p.Role.CanManage() {
		return nil, newError(CodeForbidden, "createApiKey: role %s may not create an ADMIN key", p.Role)
	}
	var exp time.Time
	if expiresAt != nil {
		if !expiresAt.After(time.Now()) {
			return nil, badInput("createApiKey: expiresAt %s is not in the future", expiresAt.Format(time.RFC3339))
		}
		exp = *expiresAt
	}
	raw, rec, err := auth.NewKey(p.TenantID, name, ar, exp, r.o.argon2)
	if err != nil {
		return nil, badInput("createApiKey: %v", err)
	}
	rec, err = r.o.store.CreateAPIKey(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("create API key for tenant %s: %w", p.TenantID, err)
	}
	k := apiKeyOf(rec)
	return &CreatedAPIKey{Key: &k, Secret: raw}, nil
}

func (r *mutationResolver) RevokeAPIKey(ctx context.Context, id string) (*APIKey, error) {
	p, err := tenantCaller(ctx, "revokeApiKey", canManage)
	if err != nil {
		return nil, err
	}
	// Tenant-scoped: another tenant's key is not found, like no key.
	if err := r.o.store.RevokeAPIKey(ctx, p.TenantID, id); err != nil {
		return nil, err
	}
	k, err := r.o.store.APIKey(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	out := apiKeyOf(k)
	return &out, nil
}

// apiKeyOf shows a key without its hash or secret.
func apiKeyOf(k auth.KeyRecord) APIKey {
	out := APIKey{ID: k.ID, Name: k.Name, Prefix: keyPrefixOf(k.ID), Role: roleOf(k.Role), Revoked: !k.Active, CreatedAt: k.CreatedAt}
	if !k.ExpiresAt.IsZero() {
		t := k.ExpiresAt
		out.ExpiresAt = &t
	}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		out.LastUsedAt = &t
	}
	return out
}

// keyPrefixOf is the start of the raw key for a key id: smt_ and the id's
// first hex digits (the raw key reads smt_<id hex>_<secret>).
func keyPrefixOf(id string) string {
	hex := strings.ReplaceAll(id, "-", "")
	return ("smt_" + hex)[:min(keyShownPrefix, len("smt_")+len(hex))]
}
