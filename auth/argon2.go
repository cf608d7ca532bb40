package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters. The defaults are OWASP's
// first recommendation (19 MiB, 2 passes, 1 lane): about 20–40 ms per hash
// on one core, which is why a verified key is cached instead of hashed on
// every request.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 returns what new keys and passwords are hashed with.
func DefaultArgon2() Argon2Params { return Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1} }

const (
	saltLen = 16
	hashLen = 32
	// A stored hash is data: parameters beyond these bounds would let a
	// tampered or foreign row make one verification cost gigabytes.
	maxMemoryKiB = 256 * 1024
	maxTime      = 10
	maxThreads   = 16
)

// HashSecret returns the argon2id PHC string of secret
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash, unpadded standard base64) under p.
func HashSecret(secret string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash secret: read salt: %w", err)
	}
	sum := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, hashLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// phc is a parsed argon2id PHC string.
type phc struct {
	params Argon2Params
	salt   []byte
	sum    []byte
}

func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, errors.New("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return phc{}, fmt.Errorf("argon2 version %q: want v=%d", parts[2], argon2.Version)
	}
	var h phc
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.params.MemoryKiB, &h.params.Time, &threads); err != nil {
		return phc{}, fmt.Errorf("argon2 parameters %q: %w", parts[3], err)
	}
	if h.params.MemoryKiB < 8 || h.params.MemoryKiB > maxMemoryKiB || h.params.Time < 1 || h.params.Time > maxTime ||
		threads < 1 || threads > maxThreads {
		return phc{}, fmt.Errorf("argon2 parameters %q: out of bounds", parts[3])
	}
	h.params.Threads = uint8(threads)
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return phc{}, errors.New("argon2 salt: bad encoding or too short")
	}
	if h.sum, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.sum) < 16 || len(h.sum) > 64 {
		return phc{}, errors.New("argon2 hash: bad encoding or length")
	}
	return h, nil
}

// verifySecret reports whether secret hashes to the PHC string encoded. An
// unreadable encoded value is an error (a damaged row), not a mismatch.
func verifySecret(encoded, secret string) (bool, error) {
	h, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	sum := argon2.IDKey([]byte(secret), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(sum, h.sum) == 1, nil
}
