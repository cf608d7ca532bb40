package jsonrpc

import (
	"testing"
)

// TestRedactURLKeysInPaths was chain.RedactURL's test, from when chain
// re-exported RedactURL.
func TestRedactURLKeysInPaths(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://rpc.example.org":                          "https://rpc.example.org",
		"https://rpc.example.org/soroban/rpc":              "https://rpc.example.org/soroban/rpc",
		"https://u:p@rpc.example.org/x":                    "https://REDACTED@rpc.example.org/x",
		"https://x.quiknode.pro/abcdef0123456789abcdef01/": "https://x.quiknode.pro/REDACTED/",
		"https://rpc.example.org/?api_key=k":               "https://rpc.example.org/?REDACTED",
	} {
		got, err := RedactURL(in)
		if err != nil || got != want {
			t.Errorf("RedactURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ftp://x", "http://", "://nope", "rpc.example.org"} {
		if _, err := RedactURL(bad); err == nil {
			t.Errorf("RedactURL(%q) accepted", bad)
		}
	}
}
