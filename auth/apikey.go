package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// An API key reads smt_<id>_<secret>: id is the api_keys row's UUID as 32
// lowercase hex digits, so verification loads one row by primary key;
// secret is 32 random bytes in unpadded base64url (43 characters). The
// row's key_hash is the argon2id PHC string of the whole key.
const (
	keyPrefix    = "smt_"
	keyIDHex     = 32
	keySecretLen = 43
	keyLen       = len(keyPrefix) + keyIDHex + 1 + keySecretLen
)

// KeyRecord is an api_keys row as authentication and the admin commands
// read it. Hash is empty in listings.
type KeyRecord struct {
	ID         string
	TenantID   string
	TenantSlug string
	// TenantActive is tenants.is_active, read with the key.
	TenantActive bool
	Name         string
	Hash         string
	Role         Role
	Active       bool
	ExpiresAt    time.Time // zero: never
	LastUsedAt   time.Time // zero: never used
	CreatedAt    time.Time
}

// Expired reports whether the key has expired at now.
func (k KeyRecord) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// NewKey makes a key for tenantID: the raw key (show it once, never store
// it) and the record to insert. role must be viewer, member or admin: a
// key is never owner. A zero expires means the key does not expire.
func NewKey(tenantID, name string, role Role, expires time.Time, p Argon2Params) (raw string, rec KeyRecord, err error) {
	if role != RoleViewer && role != RoleMember && role != RoleAdmin {
		return "", KeyRecord{}, fmt.Errorf("new API key %q: role %q: want viewer, member or admin", name, role)
	}
	if strings.TrimSpace(name) == "" {
		return "", KeyRecord{}, fmt.Errorf("new API key: empty name")
	}
	var b [16 + 32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", KeyRecord{}, fmt.Errorf("new API key %q: read random bytes: %w", name, err)
	}
	id := b[:16]
	id[6] = id[6]&0x0f | 0x40 // UUID version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	hexID := hex.EncodeToString(id)
	raw = keyPrefix + hexID + "_" + base64.RawURLEncoding.EncodeToString(b[16:])
	hash, err := HashSecret(raw, p)
	if err != nil {
		return "", KeyRecord{}, fmt.Errorf("new API key %q: %w", name, err)
	}
	return raw, KeyRecord{ID: uuidText(hexID), TenantID: tenantID, Name: name, Hash: hash, Role: role, Active: true, ExpiresAt: expires}, nil
}

// parseKey returns the row id (UUID text) a raw key names, or false when
// the key is not of the smt_<id>_<secret> form.
func parseKey(raw string) (string, bool) {
	if len(raw) != keyLen || !strings.HasPrefix(raw, keyPrefix) || raw[len(keyPrefix)+keyIDHex] != '_' {
		return "", false
	}
	hexID := raw[len(keyPrefix) : len(keyPrefix)+keyIDHex]
	for i := 0; i < len(hexID); i++ {
		if c := hexID[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	secret := raw[len(keyPrefix)+keyIDHex+1:]
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", false
	}
	return uuidText(hexID), true
}

func uuidText(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// A key's role is stored in api_keys.permissions, the tenant-isolation
// schema's [{resource, actions}] list, with one entry for every resource:
//
//	viewer  [{"resource":"*","actions":["read"]}]
//	member  [{"resource":"*","actions":["read","write"]}]
//	admin   [{"resource":"*","actions":["read","write","manage"]}]
type permission struct {
	Resource string   `json:"resource"`
	Actions  []string `json:"actions"`
}

// KeyPermissions is the permissions column for a key of role r (viewer,
// member or admin; anything else is stored as viewer).
func KeyPermissions(r Role) []byte {
	actions := []string{"read"}
	switch r {
	case RoleMember:
		actions = []string{"read", "write"}
	case RoleAdmin:
		actions = []string{"read", "write", "manage"}
	}
	b, _ := json.Marshal([]permission{{Resource: "*", Actions: actions}})
	return b
}

// KeyRole reads a permissions column back into a role. Only a "*" entry
// counts; anything else (the tenant-isolation API's per-resource lists,
// unreadable JSON, NULL) reads as viewer, the least capable role, and a
// key is never more than admin.
func KeyRole(permissions []byte) Role {
	var ps []permission
	if json.Unmarshal(permissions, &ps) != nil {
		return RoleViewer
	}
	role := RoleViewer
	for _, p := range ps {
		if p.Resource != "*" {
			continue
		}
		switch {
		case slices.Contains(p.Actions, "manage") && slices.Contains(p.Actions, "write"):
			return RoleAdmin
		case slices.Contains(p.Actions, "write"):
			role = RoleMember
		}
	}
	return role
}
