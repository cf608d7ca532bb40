package tenantconfig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// digest is the SHA-256 (hex) of data's canonical JSON (keys sorted, no
// space), or nil for no data: the audit log records that an item changed
// and can match a later copy, without holding its secrets.
func digest(data []byte) any {
	if data == nil {
		return nil
	}
	canon := data
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if d.Decode(&v) == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}
