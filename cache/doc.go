// Package cache owns the block cache: each decoded ledger is stored once in
// Redis (compressed, with a TTL) and kept in a small in-process LRU, so that
// every evaluate-tenants task of a ledger reads it without another RPC call.
package cache
