// Package tenants owns a worker's tenant registry: each active tenant's
// config loaded from the store, its monitors compiled and indexed per
// network, its tier, kept fresh by live reload.
//
// The handlers ask it which tenants a block concerns (Candidates) and read
// a tenant's compiled config (Get); the worker asks it which tiers are in
// use (Tiers).
package tenants
