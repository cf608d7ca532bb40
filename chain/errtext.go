package chain

import "github.com/ozmon/ozmon/chain/internal/jsonrpc"

// ErrorText is s made fit for an error, a log line or a task's last error
// when it may quote what an RPC node sent: every URL in it redacted as RPC
// endpoints are (user info, query, key-like path segments), then cut to n
// bytes with a note of the full length. Masking comes first, so that a
// secret straddling the cut leaves no prefix behind.
func ErrorText(s string, n int) string { return jsonrpc.BoundText(s, n) }
