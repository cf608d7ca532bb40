// Package api owns the tenant GraphQL API of `ozmon api`: the schema
// (schema.graphqls, the contract), its gqlgen-generated executor, the HTTP
// and WebSocket transports (graphql-transport-ws our own, one goroutine
// per connection and none per idle subscription; graphql-ws gqlgen's),
// authentication of every request through an Authenticator, the request
// limits (body, depth, complexity, per-tenant rate), and the resolvers,
// each scoped to the caller's tenant.
package api
