// Package testkit holds what ozmon's own tests stand on: the path to the
// shared real-data fixtures, per-test Redis databases and PostgreSQL
// schemas on the machine's real servers, and local servers that play the
// outside world (Stellar RPC, webhook receivers).
package testkit
