package evm

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Hex decoding of JSON-RPC values: quantities ("0x1a", no leading zeros
// required), addresses (20 bytes), hashes (32 bytes) and data (any length).

// parseQuantity decodes a hex quantity that must fit a uint64.
func parseQuantity(s string) (uint64, error) {
	digits, err := quantityDigits(s)
	if err != nil {
		return 0, err
	}
	if len(digits) > 16 {
		return 0, fmt.Errorf("quantity %s overflows 64 bits", short(s))
	}
	v, err := strconv.ParseUint(digits, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("quantity %s: not hex", short(s))
	}
	return v, nil
}

// quantityDecimal renders a hex quantity of up to 256 bits as an exact
// decimal string; "" stays "" (an absent optional field).
func quantityDecimal(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	digits, err := quantityDigits(s)
	if err != nil {
		return "", err
	}
	if len(digits) <= 16 {
		v, err := strconv.ParseUint(digits, 16, 64)
		if err != nil {
			return "", fmt.Errorf("quantity %s: not hex", short(s))
		}
		return strconv.FormatUint(v, 10), nil
	}
	if len(digits) > 64 {
		return "", fmt.Errorf("quantity %s overflows 256 bits", short(s))
	}
	v, ok := new(big.Int).SetString(digits, 16)
	if !ok {
		return "", fmt.Errorf("quantity %s: not hex", short(s))
	}
	return v.String(), nil
}

func quantityDigits(s string) (string, error) {
	if len(s) < 3 || (s[:2] != "0x" && s[:2] != "0X") {
		return "", fmt.Errorf("quantity %q: want 0x-prefixed hex", short(s))
	}
	d := strings.TrimLeft(s[2:], "0")
	if d == "" {
		d = "0"
	}
	return d, nil
}

// parseAddress lowercases a 0x + 40 hex digit address.
func parseAddress(s string) (string, error) {
	if len(s) != 42 || !isHex(s[2:]) || (s[:2] != "0x" && s[:2] != "0X") {
		return "", fmt.Errorf("address %q: want 0x and 40 hex digits", short(s))
	}
	return "0x" + strings.ToLower(s[2:]), nil
}

// parseHash lowercases a 0x + 64 hex digit hash.
func parseHash(s string) (string, error) {
	if len(s) != 66 || !isHex(s[2:]) || (s[:2] != "0x" && s[:2] != "0X") {
		return "", fmt.Errorf("hash %q: want 0x and 64 hex digits", short(s))
	}
	return "0x" + strings.ToLower(s[2:]), nil
}

// parseData decodes 0x-prefixed hex bytes; "0x" and "" are empty.
func parseData(s string) ([]byte, error) {
	if s == "" || s == "0x" {
		return nil, nil
	}
	if len(s) < 2 || (s[:2] != "0x" && s[:2] != "0X") {
		return nil, fmt.Errorf("data %q: want 0x-prefixed hex", short(s))
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, fmt.Errorf("data %q: %w", short(s), err)
	}
	return b, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9') && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// hexQuantity encodes n as a JSON-RPC quantity.
func hexQuantity(n uint64) string { return "0x" + strconv.FormatUint(n, 16) }

func short(s string) string { return jsonrpc.Truncate(s, 80) }
