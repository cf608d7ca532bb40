// Package monitor owns ozmon's OpenZeppelin-Monitor-compatible engine:
// per-chain matching of compiled monitors against a chain.Block, the
// per-network address index over all tenants' monitors, and the Match with
// its MonitorMatch JSON and template variables.
//
// A monitor parsed and validated by monitor/ozconfig is compiled once per
// tenant (Compile), indexed per network (Index.SetTenant) and then
// evaluated against every ledger that touches its contracts
// (Engine.Prepare once per ledger, Engine.EvaluateTenant per tenant). The
// expression language lives in monitor/expr.
package monitor
