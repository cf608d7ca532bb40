// Package testkit holds what ozmon's own tests stand on and no user
// imports: the path to the shared real-data fixtures, per-test Redis
// databases and PostgreSQL schemas on the machine's real servers, polling,
// and hostile endpoints and heap figures for the chain clients' size caps.
// The simulators and sinks users can test with live in ozmontest.
package testkit
