// Package tenantconfig owns the one write path of a tenant's
// configuration: the validation `ozmon validate` runs (Validate,
// ValidateDir), and the writer (Writer.Apply) through which `ozmon import`
// and the tenant API create, replace, pause, resume and delete monitors
// and triggers or import a whole OpenZeppelin Monitor directory. Every
// change is validated against the whole resulting tenant configuration,
// held to the tenant's quotas and written in one transaction with its
// audit_logs row, under the tenant's row lock. It also serves the reads
// the API shows next to those writes: items, networks, the problems
// workers reported, and the audit log.
package tenantconfig
