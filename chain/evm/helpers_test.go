package evm

import (
	"math/big"
	"strconv"
	"testing"
)

func hexNum(tb testing.TB, s string) uint64 {
	tb.Helper()
	n, err := strconv.ParseUint(s[2:], 16, 64)
	if err != nil {
		tb.Fatalf("%s: %v", s, err)
	}
	return n
}

func hexDec(tb testing.TB, s string) string {
	tb.Helper()
	n, ok := new(big.Int).SetString(s[2:], 16)
	if !ok {
		tb.Fatalf("%s is not hex", s)
	}
	return n.String()
}
