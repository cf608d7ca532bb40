package live

import (
	"fmt"
	"strings"
)

// DefaultKeyPrefix starts every stream key: <prefix>:{<tenantID>}. The
// braces are a Redis Cluster hash tag: one tenant's stream stays on one
// slot.
const DefaultKeyPrefix = "ozmon:live"

// maxTenantIDLen bounds a tenant id used in a key.
const maxTenantIDLen = 128

// streamKey is a tenant's stream key. A tenant id that would break out of
// its hash tag or the key (braces, spaces, control characters) is
// refused, so one tenant can never name another's stream.
func streamKey(prefix, tenantID string) (string, error) {
	if tenantID == "" {
		return "", fmt.Errorf("tenant id is empty")
	}
	if len(tenantID) > maxTenantIDLen {
		return "", fmt.Errorf("tenant id is %d bytes; at most %d", len(tenantID), maxTenantIDLen)
	}
	if strings.ContainsFunc(tenantID, func(r rune) bool { return r <= ' ' || r == '{' || r == '}' || r == 0x7f }) {
		return "", fmt.Errorf("tenant id %q has a brace, space or control character", tenantID)
	}
	return prefix + ":{" + tenantID + "}", nil
}
