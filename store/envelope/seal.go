package envelope

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Binding is what a sealed value is bound to, through the AEAD's
// additional data: a sealed value copied to another tenant, another record
// or another field of the same record does not open.
type Binding struct {
	Tenant string // tenant id; "" for the operator's own rows
	Table  string // e.g. "tenant_triggers"
	Record string // the row's key within the tenant (network slug, trigger name)
}

func (b Binding) aad(path string) []byte {
	return []byte("ozmon secret v1\x00" + b.Tenant + "\x00" + b.Table + "\x00" + b.Record + "\x00" + path)
}

// sealedVersion marks a sealed value; it is also the member that tells a
// sealed value from any other object.
const sealedVersion = "v1"

const sealedMarker = "ozmon_sealed"

// sealed is the stored form of one secret: the id of the key-encryption
// key, the data key wrapped by it, and the secret encrypted by the data key.
type sealed struct {
	Version string `json:"ozmon_sealed"`
	KeyID   string `json:"kid"`
	Key     string `json:"key"`   // wrapped data key (nonce || ciphertext), base64
	Nonce   string `json:"nonce"` // base64
	Data    string `json:"data"`  // ciphertext of the secret, base64
}

// Stats counts what a walk over one configuration found or did.
type Stats struct {
	Plain     int            // secrets stored in plaintext (before sealing)
	Sealed    int            // secrets sealed now (Seal, Reseal) or found sealed (Scan)
	Rewrapped int            // data keys re-wrapped under the active key
	KeyIDs    map[string]int // sealed secrets per key id (Scan only)
}

// Seal returns data, a JSON configuration written by a tenant, with every
// secret value sealed under the active key and bound to b. Secrets are the
// values of OpenZeppelin Monitor Plain secrets ({"type": "plain",
// "value": …}, any letter case) and the values of "headers" objects (a
// webhook's Authorization header is as secret as its URL). Data without
// secrets comes back as it was. A sealed value in the input is refused:
// it can only come from someone copying stored rows.
func (k *Keyring) Seal(b Binding, data []byte) ([]byte, Stats, error) {
	return k.rewrite(b, data, false)
}

// Reseal is Seal for stored rows: plaintext secrets are sealed, and sealed
// ones whose data key is wrapped under another key are re-wrapped under the
// active key; their ciphertext is kept, so the secret itself is never
// re-encrypted. The old key must still be in the keyring.
func (k *Keyring) Reseal(b Binding, data []byte) ([]byte, Stats, error) {
	return k.rewrite(b, data, true)
}

func (k *Keyring) rewrite(b Binding, data []byte, stored bool) ([]byte, Stats, error) {
	var st Stats
	if k == nil {
		return nil, st, fmt.Errorf("envelope: seal: %w", ErrNoKey)
	}
	doc, err := decode(data)
	if err != nil {
		return nil, st, err
	}
	w := walker{k: k, b: b, stored: stored, stats: &st}
	out, changed, err := w.seal(doc, "", false)
	if err != nil || !changed {
		return data, st, err
	}
	enc, err := encode(out)
	return enc, st, err
}

// Open returns data with every sealed value replaced by its secret, the
// configuration as the tenant wrote it. Data without sealed values comes
// back unchanged, also from a nil keyring; a sealed value with no key for
// it wraps ErrNoKey, one that does not decrypt wraps ErrOpen. Errors name
// the field and the key id, never the secret.
func (k *Keyring) Open(b Binding, data []byte) ([]byte, error) {
	if !bytes.Contains(data, []byte(sealedMarker)) {
		return data, nil
	}
	doc, err := decode(data)
	if err != nil {
		return nil, err
	}
	w := walker{k: k, b: b}
	out, changed, err := w.open(doc, "")
	if err != nil || !changed {
		return data, err
	}
	return encode(out)
}

// Scan counts the plaintext and sealed secrets of data without keys.
func Scan(data []byte) (Stats, error) {
	st := Stats{KeyIDs: map[string]int{}}
	doc, err := decode(data)
	if err != nil {
		return st, err
	}
	w := walker{b: Binding{}, stats: &st, scan: true}
	_, _, err = w.seal(doc, "", false)
	return st, err
}

func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers keep their text
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("envelope: configuration is not valid JSON: %w", err)
	}
	return doc, nil
}

func encode(doc any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("envelope: encode configuration: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type walker struct {
	k      *Keyring
	b      Binding
	stored bool // sealed values are expected (Reseal) rather than refused (Seal)
	scan   bool // count only
	stats  *Stats
}

// seal walks v at path; secret says v is a secret's value or holds
// secrets (a "headers" object).
func (w *walker) seal(v any, path string, secret bool) (any, bool, error) {
	switch x := v.(type) {
	case string:
		if !secret {
			return v, false, nil
		}
		w.stats.Plain++
		if w.scan {
			return v, false, nil
		}
		s, err := w.k.sealValue(w.b, path, x)
		if err != nil {
			return nil, false, err
		}
		w.stats.Sealed++
		return s, true, nil
	case []any:
		return children(x, path, func(e any, p, _ string) (any, bool, error) { return w.seal(e, p, false) })
	case map[string]any:
		if _, ok := x[sealedMarker]; ok {
			return w.sealedAgain(x, path)
		}
		plain := false
		if t, ok := x["type"].(string); ok && strings.EqualFold(t, "plain") {
			_, plain = x["value"].(string)
		}
		return children(x, path, func(e any, p, key string) (any, bool, error) {
			// Inside a secret (a "headers" object) every string is one.
			return w.seal(e, p, secret || key == "headers" || (plain && key == "value"))
		})
	}
	return v, false, nil
}

// sealedAgain handles a sealed value met while sealing: refused in a
// tenant's input, counted by Scan, re-wrapped under the active key by
// Reseal.
func (w *walker) sealedAgain(o map[string]any, path string) (any, bool, error) {
	if !w.stored && !w.scan {
		return nil, false, fmt.Errorf("envelope: %s: a sealed value (%q) cannot be imported; give the secret itself", clip(path), sealedMarker)
	}
	s, err := parseSealed(o, path)
	if err != nil {
		return nil, false, err
	}
	if w.scan {
		w.stats.Sealed++
		w.stats.KeyIDs[s.KeyID]++
		return o, false, nil
	}
	if s.KeyID == w.k.active {
		return o, false, nil
	}
	wrapped, err := base64.StdEncoding.DecodeString(s.Key)
	if err != nil {
		return nil, false, fmt.Errorf("envelope: %s: %w: wrapped key is not base64", clip(path), ErrOpen)
	}
	dek, err := w.k.unwrap(s.KeyID, wrapped)
	if err != nil {
		return nil, false, fmt.Errorf("envelope: %s: %w", clip(path), err)
	}
	rewrapped, err := w.k.wrap(w.k.active, dek)
	if err != nil {
		return nil, false, fmt.Errorf("envelope: %s: wrap data key: %w", clip(path), err)
	}
	s.KeyID, s.Key = w.k.active, base64.StdEncoding.EncodeToString(rewrapped)
	w.stats.Rewrapped++
	return s.object(), true, nil
}

func (w *walker) open(v any, path string) (any, bool, error) {
	switch x := v.(type) {
	case []any:
		return children(x, path, func(e any, p, _ string) (any, bool, error) { return w.open(e, p) })
	case map[string]any:
		if _, ok := x[sealedMarker]; ok {
			s, err := parseSealed(x, path)
			if err != nil {
				return nil, false, err
			}
			secret, err := w.k.openValue(w.b, path, s)
			if err != nil {
				return nil, false, err
			}
			return secret, true, nil
		}
		return children(x, path, func(e any, p, _ string) (any, bool, error) { return w.open(e, p) })
	}
	return v, false, nil
}

// children applies f to each element of an array or member of an object
// (with its JSON pointer and, for a member, its name), replacing it by
// f's result; changed says whether any f changed something.
func children[T []any | map[string]any](x T, path string, f func(e any, path, key string) (any, bool, error)) (any, bool, error) {
	changed := false
	switch c := any(x).(type) {
	case []any:
		for i, e := range c {
			ne, ch, err := f(e, path+"/"+strconv.Itoa(i), "")
			if err != nil {
				return nil, false, err
			}
			c[i], changed = ne, changed || ch
		}
	case map[string]any:
		for key, e := range c {
			ne, ch, err := f(e, path+"/"+pointerToken(key), key)
			if err != nil {
				return nil, false, err
			}
			c[key], changed = ne, changed || ch
		}
	}
	return x, changed, nil
}

func parseSealed(o map[string]any, path string) (sealed, error) {
	var s sealed
	fields := []struct {
		name string
		dst  *string
	}{{sealedMarker, &s.Version}, {"kid", &s.KeyID}, {"key", &s.Key}, {"nonce", &s.Nonce}, {"data", &s.Data}}
	for _, f := range fields {
		v, ok := o[f.name].(string)
		if !ok {
			return s, fmt.Errorf("envelope: %s: %w: sealed value has no %q string", clip(path), ErrOpen, f.name)
		}
		*f.dst = v
	}
	if s.Version != sealedVersion {
		return s, fmt.Errorf("envelope: %s: %w: sealed value of unknown version %q", clip(path), ErrOpen, clip(s.Version))
	}
	if len(o) != len(fields) {
		return s, fmt.Errorf("envelope: %s: %w: sealed value has %d members, want %d", clip(path), ErrOpen, len(o), len(fields))
	}
	return s, nil
}

func (s sealed) object() map[string]any {
	return map[string]any{sealedMarker: s.Version, "kid": s.KeyID, "key": s.Key, "nonce": s.Nonce, "data": s.Data}
}

// sealValue encrypts one secret under a fresh data key.
func (k *Keyring) sealValue(b Binding, path, secret string) (map[string]any, error) {
	dek := make([]byte, KeySize)
	if _, err := rand.Read(dek); err != nil {
		return nil, fmt.Errorf("envelope: %s: random data key: %w", clip(path), err)
	}
	aead, err := newGCM(dek)
	if err != nil {
		return nil, fmt.Errorf("envelope: %s: %w", clip(path), err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("envelope: %s: random nonce: %w", clip(path), err)
	}
	wrapped, err := k.wrap(k.active, dek)
	if err != nil {
		return nil, fmt.Errorf("envelope: %s: wrap data key: %w", clip(path), err)
	}
	ct := aead.Seal(nil, nonce, []byte(secret), b.aad(path))
	return sealed{Version: sealedVersion, KeyID: k.active, Key: base64.StdEncoding.EncodeToString(wrapped),
		Nonce: base64.StdEncoding.EncodeToString(nonce), Data: base64.StdEncoding.EncodeToString(ct)}.object(), nil
}

// openValue decrypts one sealed secret.
func (k *Keyring) openValue(b Binding, path string, s sealed) (string, error) {
	if !k.Has(s.KeyID) {
		return "", fmt.Errorf("envelope: %s: %w: sealed under key %q, which is not in secrets.keys", clip(path), ErrNoKey, clip(s.KeyID))
	}
	wrapped, err1 := base64.StdEncoding.DecodeString(s.Key)
	nonce, err2 := base64.StdEncoding.DecodeString(s.Nonce)
	ct, err3 := base64.StdEncoding.DecodeString(s.Data)
	if err := errors.Join(err1, err2, err3); err != nil {
		return "", fmt.Errorf("envelope: %s: %w: sealed value is not base64", clip(path), ErrOpen)
	}
	dek, err := k.unwrap(s.KeyID, wrapped)
	if err != nil {
		return "", fmt.Errorf("envelope: %s: %w", clip(path), err)
	}
	aead, err := newGCM(dek)
	if err != nil {
		return "", fmt.Errorf("envelope: %s: %w", clip(path), err)
	}
	if len(nonce) != aead.NonceSize() {
		return "", fmt.Errorf("envelope: %s: %w: nonce is %d bytes", clip(path), ErrOpen, len(nonce))
	}
	pt, err := aead.Open(nil, nonce, ct, b.aad(path))
	if err != nil {
		return "", fmt.Errorf("envelope: %s: %w under key %q: it belongs to another tenant, record or field, or was altered", clip(path), ErrOpen, s.KeyID)
	}
	return string(pt), nil
}

// pointerToken escapes a member name for a JSON pointer (RFC 6901).
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// maxShown bounds a path or id repeated in an error: member names are
// chosen by tenants.
const maxShown = 200

func clip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return strings.ToValidUTF8(s[:maxShown], "") + "…"
}
