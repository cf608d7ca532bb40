// Package e2e holds the tenant API's end-to-end tests and benchmarks: a
// whole deployment in one test process (PostgreSQL and Redis for real, the
// Stellar simulator with real mainnet ledgers, a worker and a scheduler,
// the webhook sink, and the API over real HTTP and WebSocket), the tenant
// isolation matrix over every field of the schema, reconnecting
// subscribers, bad requests, and the API's latency and memory figures;
// and one deployment of real `ozmon scheduler` and `ozmon worker`
// processes (the binary built by the test, tenants imported with `ozmon
// import`) serving Stellar, EVM and Solana networks at once.
//
// It has no code of its own beyond this comment: everything is in _test
// files, so nothing here ships in the binary.
//
//	go test -count=1 ./internal/e2e/
//	go test -run '^$' -bench . -benchtime 1x ./internal/e2e/
package e2e
