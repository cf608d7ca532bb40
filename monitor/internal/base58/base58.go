// Package base58 is the one place the monitor engine and the config
// validator spell Solana's base58 (public keys, instruction data): a thin
// layer over github.com/mr-tron/base58, the codec solana-go uses, plus the
// public-key check both need.
package base58

import "github.com/mr-tron/base58"

// Decode returns the bytes s encodes; each leading '1' is a leading zero
// byte, and "" is no bytes (an instruction without data), which
// mr-tron/base58 refuses.
func Decode(s string) ([]byte, error) {
	if s == "" {
		return []byte{}, nil
	}
	return base58.Decode(s)
}

// Encode returns the base58 text of b.
func Encode(b []byte) string { return base58.Encode(b) }

// IsPublicKey reports whether s is the base58 text of 32 bytes: a Solana
// public key (program id, account, mint).
func IsPublicKey(s string) bool {
	if len(s) < 32 || len(s) > 44 {
		return false
	}
	b, err := base58.Decode(s)
	return err == nil && len(b) == 32
}
