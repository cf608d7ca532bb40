// Package files loads OpenZeppelin Monitor config directories
// (networks/, monitors/, triggers/), one per tenant, into ozconfig.Config.
package files
