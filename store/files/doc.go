// Package files loads OpenZeppelin Monitor config directories
// (networks/, monitors/, triggers/), one per tenant, into monitor.Config.
package files
