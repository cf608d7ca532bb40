// Package asynqmon owns ozmon's queue web UI: hibiken/asynqmon mounted under a
// path behind token or basic authentication, with redacted task payloads.
//
// Two roles exist. An admin may do everything asynqmon offers (run, delete,
// archive tasks, pause queues); a read-only caller sees the same pages, but
// every request other than GET or HEAD is refused with 403 before it reaches
// asynqmon, whatever asynqmon's own read-only mode does or does not enforce.
//
// A browser cannot send a bearer header, so a configured token is also
// accepted as the password of HTTP basic authentication (any user name): the
// browser's login prompt is then all an operator needs.
//
// Task payloads are tenant data. The UI shows only their routing metadata
// (type, network, ledger, tenant id, monitor, trigger, tx hash, tier, batch);
// everything else, such as match variables and MonitorMatch JSON, is replaced
// by a marker (redact.go).
package asynqmon
