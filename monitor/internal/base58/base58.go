// Package base58 owns the Bitcoin-alphabet base58 codec Solana spells
// public keys, signatures and instruction data in, for the monitor engine
// and the config validator (which may not import chain/solana).
package base58

import "errors"

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// index maps a character to its digit, 0xff for characters outside the
// alphabet (0, O, I, l and everything non-alphanumeric).
var index = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// ErrInvalid is returned for text with a character outside the alphabet.
var ErrInvalid = errors.New("invalid base58 character")

// Decode returns the bytes s encodes; each leading '1' is a leading zero byte.
func Decode(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(256) < 0.733: the big-endian number needs at most this
	// many bytes.
	b := make([]byte, (len(s)-zeros)*733/1000+1)
	n := 0 // significant bytes used at the end of b
	for i := zeros; i < len(s); i++ {
		d := index[s[i]]
		if d == 0xff {
			return nil, ErrInvalid
		}
		carry := uint32(d)
		j := 0
		for k := len(b) - 1; k >= 0 && (carry != 0 || j < n); k-- {
			carry += 58 * uint32(b[k])
			b[k] = byte(carry)
			carry >>= 8
			j++
		}
		n = j
	}
	out := make([]byte, zeros+n)
	copy(out[zeros:], b[len(b)-n:])
	return out, nil
}

// Encode returns the base58 text of b.
func Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) < 1.366.
	buf := make([]byte, (len(b)-zeros)*1366/1000+1)
	n := 0
	for _, c := range b[zeros:] {
		carry := uint32(c)
		j := 0
		for k := len(buf) - 1; k >= 0 && (carry != 0 || j < n); k-- {
			carry += 256 * uint32(buf[k])
			buf[k] = byte(carry % 58)
			carry /= 58
			j++
		}
		n = j
	}
	out := make([]byte, zeros+n)
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range buf[len(buf)-n:] {
		out[zeros+i] = alphabet[d]
	}
	return string(out)
}

// IsPublicKey reports whether s is the base58 text of 32 bytes: a Solana
// public key (program id, account, mint).
func IsPublicKey(s string) bool {
	if len(s) < 32 || len(s) > 44 {
		return false
	}
	b, err := Decode(s)
	return err == nil && len(b) == 32
}
