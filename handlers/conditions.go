package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
)

// ScriptConditions runs a monitor's trigger_conditions scripts in notify's
// script sandbox (operator-enabled, time-limited, empty environment,
// bounded output). Options must include notify.EnableScripts, and should
// include notify.ScriptDir so tenants can only name scripts the operator
// installed.
type ScriptConditions struct {
	Options []notify.Option
}

// Allow runs one condition. As in OpenZeppelin Monitor, a script whose
// last stdout line is "true" filters the match out (Allow returns false),
// "false" keeps it; anything else is an error, and the caller keeps the
// match.
func (s ScriptConditions) Allow(ctx context.Context, tenantID string, c ozconfig.TriggerCondition, matchJSON []byte) (bool, error) {
	shown := notify.ShortScriptPath(c.ScriptPath)
	var args any
	if c.Arguments != nil {
		args = c.Arguments
	}
	stdin, err := json.Marshal(struct {
		MonitorMatch json.RawMessage `json:"monitor_match"`
		Args         any             `json:"args"`
	}{json.RawMessage(matchJSON), args})
	if err != nil {
		return true, fmt.Errorf("tenant %s: trigger condition %s: %w", tenantID, shown, err)
	}
	stdout, err := notify.RunCondition(ctx, c, stdin, s.Options...)
	if err != nil {
		return true, fmt.Errorf("tenant %s: trigger condition %s: %w", tenantID, shown, err)
	}
	out := bytes.TrimSpace(stdout)
	if len(out) == 0 {
		return true, fmt.Errorf("tenant %s: trigger condition %s printed nothing", tenantID, shown)
	}
	last := out
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		last = out[i+1:]
	}
	last = bytes.TrimSpace(last)
	switch strings.ToLower(string(last)) {
	case "true":
		return false, nil
	case "false":
		return true, nil
	}
	return true, fmt.Errorf("tenant %s: trigger condition %s: last line %q is neither true nor false", tenantID, shown, notify.ShortScriptPath(string(last)))
}
