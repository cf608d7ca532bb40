// Package envelope encrypts tenant secrets at rest: each secret value in a
// stored configuration is sealed under a data key of its own (AES-256-GCM),
// the data key wrapped by one of the operator's key-encryption keys.
package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the size of a key-encryption key and of a data key: AES-256.
const KeySize = 32

// maxKeyID bounds a key id, which is stored next to every sealed value.
const maxKeyID = 64

// ErrNoKey is wrapped when a sealed value names a key the keyring does not
// hold, or when sealing is asked of a nil keyring.
var ErrNoKey = errors.New("key not configured")

// ErrOpen is wrapped when a sealed value does not decrypt: a wrong key, a
// damaged value, or a value moved to another tenant, record or field.
var ErrOpen = errors.New("secret does not decrypt")

// Keyring holds the operator's key-encryption keys (KEKs): Active wraps
// new data keys, every key unwraps. The key bytes never leave it: it has
// no accessor for them, and printing a Keyring shows only key ids.
type Keyring struct {
	keks   map[string]cipher.AEAD
	ids    []string // sorted
	active string
}

// NewKeyring returns a keyring of keys (id → 32 raw bytes) writing under
// active. An empty active is allowed only when there is exactly one key.
func NewKeyring(keys map[string][]byte, active string) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("envelope: no keys")
	}
	k := &Keyring{keks: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if err := checkKeyID(id); err != nil {
			return nil, fmt.Errorf("envelope: %w", err)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("envelope: key %q is %d bytes, want %d (AES-256)", id, len(key), KeySize)
		}
		aead, err := newGCM(key)
		if err != nil {
			return nil, fmt.Errorf("envelope: key %q: %w", id, err)
		}
		k.keks[id] = aead
		k.ids = append(k.ids, id)
	}
	slices.Sort(k.ids)
	switch {
	case active != "":
		if _, ok := k.keks[active]; !ok {
			return nil, fmt.Errorf("envelope: active key %q is not among the keys (%s)", active, strings.Join(k.ids, ", "))
		}
		k.active = active
	case len(k.ids) == 1:
		k.active = k.ids[0]
	default:
		return nil, fmt.Errorf("envelope: %d keys (%s) and none named active", len(k.ids), strings.Join(k.ids, ", "))
	}
	return k, nil
}

// ParseKeys builds a keyring from "id:base64key" entries (standard or URL
// base64, padded or not, of 32 bytes), as the operator writes them in
// secrets.keys. Errors name an entry by position and id, never by its
// text, which may be a key.
func ParseKeys(entries []string, active string) (*Keyring, error) {
	keys := make(map[string][]byte, len(entries))
	for i, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		id, b64, ok := strings.Cut(e, ":")
		if !ok {
			return nil, fmt.Errorf("envelope: key entry %d: want id:base64key", i+1)
		}
		if err := checkKeyID(id); err != nil {
			return nil, fmt.Errorf("envelope: key entry %d: %w", i+1, err)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("envelope: key entry %d: id %q is given twice", i+1, id)
		}
		key, err := decodeKey(b64)
		if err != nil {
			return nil, fmt.Errorf("envelope: key entry %d (id %q): %w", i+1, id, err)
		}
		keys[id] = key
	}
	return NewKeyring(keys, active)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("key decodes to %d bytes, want %d (AES-256; make one with: head -c 32 /dev/urandom | base64)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("key is not base64")
}

// checkKeyID keeps ids short and plain: they are stored with every sealed
// value and shown in errors.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyID {
		return fmt.Errorf("key id must be 1 to %d characters", maxKeyID)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("key id %q: use only letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}

// Active is the id of the key new data keys are wrapped with.
func (k *Keyring) Active() string { return k.active }

// IDs lists the ids of every key, sorted.
func (k *Keyring) IDs() []string { return slices.Clone(k.ids) }

// Has reports whether the keyring holds key id.
func (k *Keyring) Has(id string) bool {
	if k == nil {
		return false
	}
	_, ok := k.keks[id]
	return ok
}

// String shows key ids only.
func (k *Keyring) String() string {
	if k == nil {
		return "envelope.Keyring(none)"
	}
	return "envelope.Keyring(active " + k.active + "; keys " + strings.Join(k.ids, ", ") + ")"
}

// GoString makes %#v as safe as %v.
func (k *Keyring) GoString() string { return k.String() }

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// dataKeyAAD separates wrapped data keys from any other use of a KEK.
var dataKeyAAD = []byte("ozmon data key v1")

// wrap encrypts a data key under KEK id: nonce || ciphertext.
func (k *Keyring) wrap(id string, dek []byte) ([]byte, error) {
	kek := k.keks[id]
	nonce := make([]byte, kek.NonceSize(), kek.NonceSize()+len(dek)+kek.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("random nonce: %w", err)
	}
	return kek.Seal(nonce, nonce, dek, dataKeyAAD), nil
}

// unwrap decrypts a data key wrapped under KEK id.
func (k *Keyring) unwrap(id string, wrapped []byte) ([]byte, error) {
	if !k.Has(id) {
		return nil, fmt.Errorf("%w: key %q", ErrNoKey, id)
	}
	kek := k.keks[id]
	if len(wrapped) < kek.NonceSize()+kek.Overhead() {
		return nil, fmt.Errorf("%w: wrapped data key is %d bytes, too short", ErrOpen, len(wrapped))
	}
	dek, err := kek.Open(nil, wrapped[:kek.NonceSize()], wrapped[kek.NonceSize():], dataKeyAAD)
	if err != nil {
		return nil, fmt.Errorf("%w: data key does not unwrap under key %q (a different key with the same id?)", ErrOpen, id)
	}
	if len(dek) != KeySize {
		return nil, fmt.Errorf("%w: data key is %d bytes", ErrOpen, len(dek))
	}
	return dek, nil
}
