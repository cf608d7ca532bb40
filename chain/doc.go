// Package chain owns ozmon's chain-agnostic block model: a Block of
// Transactions in apply order, their Operations (contract calls, payments),
// contract Events and the typed Value that carries every argument exactly.
// It also owns what every chain client is configured with: Endpoint,
// RPCOption and the With* helpers, RedactURL and ErrResponseTooLarge.
//
// Chain packages (chain/stellar, chain/evm) decode their wire formats
// into these types once per ledger; everything downstream (cache, monitor
// engine, notifications) reads only this model.
package chain
