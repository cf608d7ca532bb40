// Package ozconfig owns ozmon's OpenZeppelin Monitor config model: parsing
// and the one validation of networks, monitors and triggers, with their
// secrets, cron schedules, limits, warnings and built-in networks.
//
// Each file is parsed on its own (ParseNetwork, ParseMonitor, ParseTrigger)
// and a tenant's whole set is then checked once by Config.Validate, the
// single write path every loader (validate, import, the stores, the
// workers' tenant reload) goes through. The engine that compiles and
// evaluates monitors lives in package monitor.
package ozconfig
