// Package chaos owns ozmon's fault-injection suite: the proof of "every
// alert arrives, once — or loudly". It runs the real `ozmon scheduler` and
// `ozmon worker` binaries against redis-server processes it starts and
// kills, PostgreSQL behind a TCP proxy it can cut or stall, ozmontest's
// Stellar simulator serving the real mainnet ledgers, and webhook
// receivers that answer, fail or hang on command. 50 tenants × 3 monitors
// produce several hundred notifications whose expected set is computed by
// running the same monitors through the engine in-process; after each
// fault the suite checks that every expected notification arrived, that
// nothing unexpected did, that duplicates happen only where the scenario
// tolerates them and then carry one Idempotency-Key, and that whatever is
// missing is explained by an archived task or a logged gap.
//
// The harness is in this package's non-test files:
//
//   - [Redis]: a redis-server it owns, with or without AOF, Kill and Restart;
//   - [PGProxy] and [Database]: a fresh database per scenario reached
//     through a proxy with Cut, Stall and Restore;
//   - [Receiver] and [Recorder]: HTTP listeners recording every request;
//   - [Process]: an ozmon role with env config and a captured JSON log;
//   - [Workload]: the tenants' monitors and the expected notifications;
//   - [Cluster]: one scenario's world, wired together, with the ledger
//     clock and the [Verdict] that judges and reports the outcome.
//
// The scenarios are in chaos_test.go and run with `make test` (about five
// minutes on two cores); -chaos.soak lengthens the faults.
package chaos
