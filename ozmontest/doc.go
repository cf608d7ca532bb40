// Package ozmontest owns local servers that play the outside world for
// ozmon and for users testing their own receivers and monitors: a Stellar
// RPC simulator (real ledger files or synthetic ones), an EVM JSON-RPC
// simulator, synthetic ledger and block generators, and webhook and SMTP
// sinks that record what they receive and answer, fail or stall on demand.
// `ozmon dev` and `ozmon simulate` ship the same servers in the binary.
//
// Every server listens on 127.0.0.1 unless told otherwise: Start* helpers
// take a free 127.0.0.1 port and close with the test; New* listen on the
// address given (127.0.0.1:0 by default) and are closed by the caller.
package ozmontest
