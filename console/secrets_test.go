package console

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMaskSecrets: no webhook URL, token or password survives in full,
// whatever shape the trigger's JSON has; harmless fields stay readable.
func TestMaskSecrets(t *testing.T) {
	t.Parallel()
	secrets := []string{"https://hooks.slack.com/services/T000/B000/Zq1Xa9", "123456:ABC-bot-token-Zq2Xb8",
		"smtp-password-Zq3Xc7", "hmac-signing-Zq4Xd6", "Bearer header-Zq5Xe5", "https://discord.com/api/webhooks/1/Zq6Xf4"}
	trigger := `{"name":"ops","trigger_type":"slack","config":{
	  "slack_url":{"type":"plain","value":"` + secrets[0] + `"},
	  "token":{"type":"plain","value":"` + secrets[1] + `"},
	  "password":"` + secrets[2] + `",
	  "secret":{"type":"environment","value":"` + secrets[3] + `"},
	  "headers":{"Authorization":"` + secrets[4] + `"},
	  "discord_url":"` + secrets[5] + `",
	  "message":{"title":"Large transfer","body":"${monitor.name}"}}}`
	var v any
	if err := json.Unmarshal([]byte(trigger), &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(maskSecrets(v, ""))
	for _, s := range secrets {
		for _, part := range []string{s, s[len(s)-6:]} {
			if strings.Contains(string(out), part) {
				t.Errorf("%q survives in %s", part, out)
			}
		}
	}
	for _, keep := range []string{"Large transfer", "hooks.slack.com", `"trigger_type":"slack"`, `"type":"plain"`} {
		if !strings.Contains(string(out), keep) {
			t.Errorf("%q was masked: %s", keep, out)
		}
	}
}

// TestLineOf places JSON paths, including ones only partly present.
func TestLineOf(t *testing.T) {
	t.Parallel()
	text := "{\n  \"name\": \"x\",\n  \"match_conditions\": {\n    \"events\": [\n      {\"signature\": \"a\"},\n      {\n        \"expression\": \"bad\"\n      }\n    ]\n  }\n}"
	for path, want := range map[string]int{
		"name": 2, "match_conditions": 3, "match_conditions.events": 4, "match_conditions.events[0]": 5,
		"match_conditions.events[1].expression": 7, "match_conditions.events[1].absent": 6, "nothing": 1, "": 1,
	} {
		if got := lineOf(text, path); got != want {
			t.Errorf("lineOf(%q) = %d, want %d", path, got, want)
		}
	}
	for msg, want := range map[string]string{
		"testMonitor: monitor: match_conditions.events[1].expression: unexpected token": "match_conditions.events[1].expression",
		"monitors/a.json: name: must not be empty":                                      "name",
		"testMonitor: ledgers.from is 0":                                                "",
	} {
		if got, _ := pathInMessage(msg); got != want {
			t.Errorf("pathInMessage(%q) = %q, want %q", msg, got, want)
		}
	}
}
