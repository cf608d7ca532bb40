// Package expr owns ozmon's filter expression language: OpenZeppelin Monitor
// 1.6's grammar (Parse) and its per-chain comparison rules (Stellar, EVM).
package expr
