// Package jsonrpc owns the JSON-RPC-over-HTTP transport the chain clients
// share: endpoint order, failover with backoff, the envelope and redaction.
package jsonrpc
