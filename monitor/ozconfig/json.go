package ozconfig

import (
	"bytes"
	"encoding/json"
)

// MarshalNoEscape is json.Marshal without HTML escaping, as serde_json
// (and so OpenZeppelin Monitor) writes JSON: expressions keep their ">="
// rather than "\u003e=", and bodies signed with HMAC match byte for byte.
// It lives with the config model because a monitor's config is the first
// thing rendered this way; the engine's matches and notify's bodies reuse it.
func MarshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
