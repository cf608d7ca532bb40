package asynqmon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// formatter renders task payloads and results for the UI, keeping only the
// routing metadata of ozmon's tasks and redacting everything else. It
// implements asynqmon's PayloadFormatter and ResultFormatter.
//
// Deliver payloads carry a match's template variables and MonitorMatch JSON:
// tenant data that operators of a shared deployment must not read. Keeping an
// allow-list (rather than deleting known-bad fields) means a field added to a
// payload later stays hidden until someone decides it is safe to show.
type formatter struct{}

// shown reports the payload fields whose values the UI may show.
func shown(name string) bool {
	switch name {
	case "v", "network", "ledger", "tenant_id", "monitor", "trigger", "tx_hash", "tier", "batch", "scheduled_at":
		return true
	}
	return false
}

// maxShownTenants bounds the tenant ids listed for an evaluate-tenants batch.
const maxShownTenants = 10

// maxValueLen bounds a shown string value (in runes).
const maxValueLen = 128

// redacted is what replaces a hidden value.
const redacted = "[redacted]"

// FormatPayload implements asynqmon.PayloadFormatter.
func (formatter) FormatPayload(taskType string, payload []byte) string {
	return format(taskType, payload)
}

// FormatResult implements asynqmon.ResultFormatter (asynqmon passes no task
// type for results).
func (formatter) FormatResult(taskType string, result []byte) string {
	if len(result) == 0 {
		return ""
	}
	return format(taskType, result)
}

func format(taskType string, data []byte) string {
	out := map[string]any{}
	if taskType != "" {
		out["type"] = taskType
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		out["payload"] = fmt.Sprintf("[redacted: %d bytes]", len(data))
		return marshal(out)
	}
	for k, raw := range fields {
		out[k] = fieldValue(k, raw)
	}
	return marshal(out)
}

// fieldValue returns what the UI shows for one top-level field.
func fieldValue(name string, raw json.RawMessage) any {
	if sensitiveName(name) {
		return redacted
	}
	if name == "tenants" {
		return tenantIDs(raw)
	}
	if !shown(name) {
		return redacted
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return redacted
	}
	switch x := v.(type) {
	case json.Number, bool, nil:
		return x
	case string:
		// A value that looks like a URL may carry credentials (webhook paths
		// are secrets), even in a field that is normally harmless.
		if strings.Contains(x, "://") {
			return redacted
		}
		return truncate(x)
	}
	return redacted // objects and arrays are never shown
}

// tenantIDs shows a batch's first tenant ids and how many there are.
func tenantIDs(raw json.RawMessage) any {
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return redacted
	}
	n := min(len(ids), maxShownTenants)
	out := make([]string, 0, n+1)
	for _, id := range ids[:n] {
		out = append(out, truncate(id))
	}
	if len(ids) > n {
		out = append(out, fmt.Sprintf("… %d more", len(ids)-n))
	}
	return out
}

// sensitiveName reports field names that are hidden even if a later change
// adds them to the allow-list by mistake.
func sensitiveName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"secret", "token", "password", "passwd", "url", "uri", "key", "auth", "credential", "header"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxValueLen {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueLen]) + "…"
}

func marshal(v map[string]any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// The UI shows the string as it is; escaping <, > and & would only make
	// it harder to read (React escapes for HTML itself).
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return redacted
	}
	return strings.TrimSuffix(b.String(), "\n")
}
