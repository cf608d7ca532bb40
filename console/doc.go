// Package console owns the tenant console served by `ozmon api` at
// /console/: server-rendered pages (sign-in, monitors, the monitor editor,
// live matches, deliveries, usage) over the tenant API.
//
// The console has no data path of its own. Every page executes GraphQL
// in-process against the API's http.Handler with the signed-in caller's
// credential, so the API's authentication, tenant scoping, rate limit,
// validation and write path apply unchanged; the live feed is the API's
// own graphql-transport-ws subscription, reached through /console/live/ws
// with the session's credential attached.
//
// Sessions live in Redis, their credential sealed with a key that exists
// only in the browser's cookie (HttpOnly, SameSite=Strict, Secure over
// TLS): a Redis dump alone reveals no credential. Every state-changing
// request carries the session's CSRF token, and every page is sent with a
// strict Content-Security-Policy (script-src 'self', no inline script).
package console
