// Package pipeline runs ozmon's worker side inside a test's process: a
// scheduler and a worker, wired as `ozmon worker` and `ozmon scheduler`
// wire them, fetching from a Stellar simulator of ozmontest. End-to-end
// tests of the API (internal/e2e) and the console's browser tests share it.
package pipeline
