package ozconfig

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A trigger file with one of each of ozmon's extension types, as the README shows them.
const incidentTriggersJSON = `{
  "vault_pagerduty": {
    "name": "Vault on-call",
    "trigger_type": "pagerduty",
    "config": {
      "routing_key": { "type": "environment", "value": "PD_ROUTING_KEY" },
      "severity": "error",
      "source": "${monitor.name}",
      "component": "vault",
      "links": [{ "href": "https://stellar.expert/explorer/public/tx/${transaction.hash}", "text": "Transaction" }],
      "redact_details": true,
      "message": { "title": "${monitor.name}: deposit of ${functions.0.args.amount}", "body": "tx ${transaction.hash}" },
      "auto_resolve_after": { "secs": 3600, "nanos": 0 },
      "retry_policy": { "max_retries": 5 }
    }
  },
  "vault_opsgenie": {
    "name": "Vault Opsgenie",
    "trigger_type": "opsgenie",
    "config": {
      "api_key": { "type": "environment", "value": "OPSGENIE_KEY" },
      "region": "eu",
      "priority": "${functions.0.args.level}",
      "responders": [{ "type": "team", "name": "vault-oncall" }, { "type": "user", "username": "ana@example.org" }],
      "tags": ["vault", "${monitor.name}"],
      "message": { "title": "${monitor.name}", "body": "tx ${transaction.hash}" },
      "auto_resolve_after": 900000
    }
  },
  "vault_datadog": {
    "name": "Vault Datadog",
    "trigger_type": "datadog",
    "config": {
      "api_key": { "type": "environment", "value": "DD_API_KEY" },
      "site": "datadoghq.eu",
      "alert_type": "warning",
      "tags": ["team:vault"],
      "message": { "title": "${monitor.name}", "body": "tx ${transaction.hash}" }
    }
  },
  "vault_teams": {
    "name": "Vault Teams",
    "trigger_type": "teams",
    "config": {
      "teams_url": { "type": "environment", "value": "TEAMS_WORKFLOW_URL" },
      "message": { "title": "${monitor.name}", "body": "Deposit of **${functions.0.args.amount}**" }
    }
  }
}`

func TestParseIncidentTriggers(t *testing.T) {
	t.Parallel()
	ts, err := ParseTriggers("triggers/incident.json", []byte(incidentTriggersJSON))
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Trigger{}
	for _, tr := range ts {
		by[tr.Key] = tr
		if !tr.TriggerType.IsExtension() {
			t.Errorf("%s: %q is not reported as an extension", tr.Key, tr.TriggerType)
		}
	}
	pd := by["vault_pagerduty"].PagerDuty
	if pd == nil || pd.RoutingKey.Reference() != "PD_ROUTING_KEY" || pd.Severity != "error" || pd.Source != "${monitor.name}" ||
		len(pd.Links) != 1 || pd.Links[0].Text != "Transaction" || !pd.RedactDetails || pd.AutoResolveAfter.D() != time.Hour ||
		pd.RetryPolicy.MaxRetries != 5 {
		t.Errorf("pagerduty: %+v", pd)
	}
	og := by["vault_opsgenie"].Opsgenie
	if og == nil || og.Region != OpsgenieEU || og.Priority != "${functions.0.args.level}" || len(og.Responders) != 2 ||
		og.Responders[1].Username != "ana@example.org" || og.AutoResolveAfter.D() != 15*time.Minute || og.RetryPolicy != DefaultRetryPolicy() {
		t.Errorf("opsgenie: %+v", og)
	}
	dd := by["vault_datadog"].Datadog
	if dd == nil || dd.Site != "datadoghq.eu" || dd.AlertType != "warning" || len(dd.Tags) != 1 {
		t.Errorf("datadog: %+v", dd)
	}
	if tm := by["vault_teams"].Teams; tm == nil || tm.TeamsURL.Reference() != "TEAMS_WORKFLOW_URL" {
		t.Errorf("teams: %+v", tm)
	}
	for _, tt := range []TriggerType{TriggerSlack, TriggerEmail, TriggerWebhook, TriggerTelegram, TriggerDiscord, TriggerScript} {
		if tt.IsExtension() {
			t.Errorf("OZ's %q reported as an extension", tt)
		}
	}
	// Written back and read again, each is the same trigger; auto_resolve_after in OZ's duration form.
	for _, tr := range ts {
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		tr2, err := ParseTrigger("t.json", b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tr.Key, err, b)
		}
		if b2, _ := json.Marshal(tr2); string(b2) != string(b) {
			t.Errorf("%s changed:\n%s\n%s", tr.Key, b, b2)
		}
	}
	if b, _ := json.Marshal(by["vault_opsgenie"]); !strings.Contains(string(b), `"auto_resolve_after":{"secs":900,"nanos":0}`) {
		t.Errorf("auto_resolve_after not in serde form: %s", b)
	}
	if b, _ := json.Marshal(by["vault_teams"]); strings.Contains(string(b), "auto_resolve_after") {
		t.Errorf("absent auto_resolve_after written out: %s", b)
	}
}

// A plain secret never comes back out of a marshalled extension trigger.
func TestIncidentTriggerSecretsRedacted(t *testing.T) {
	t.Parallel()
	for _, js := range []string{
		pagerDutyWith(`"severity": "info"`),
		`{"name": "n", "trigger_type": "opsgenie", "config": {"api_key": {"type": "plain", "value": "og-secret-key-123"}, "message": {"title": "t", "body": "b"}}}`,
		`{"name": "n", "trigger_type": "datadog", "config": {"api_key": {"type": "plain", "value": "dd-secret-key-123"}, "message": {"title": "t", "body": "b"}}}`,
		`{"name": "n", "trigger_type": "teams", "config": {"teams_url": {"type": "plain", "value": "https://x.logic.azure.com/workflows/abc?sig=teams-secret-sig"}, "message": {"title": "t", "body": "b"}}}`,
	} {
		tr, err := ParseTrigger("t.json", []byte(js))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(tr)
		for _, secret := range []string{"pd-routing-key-123", "og-secret-key-123", "dd-secret-key-123", "teams-secret-sig"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s leaks %s: %s", tr.TriggerType, secret, b)
			}
		}
	}
}

func pagerDutyWith(fields string) string {
	return `{"name": "n", "trigger_type": "pagerduty", "config": {"routing_key": {"type": "plain", "value": "pd-routing-key-123"}, ` +
		`"message": {"title": "t", "body": "b"}` + prefixComma(fields) + `}}`
}

func opsgenieWith(fields string) string {
	return `{"name": "n", "trigger_type": "opsgenie", "config": {"api_key": {"type": "plain", "value": "k"}, ` +
		`"message": {"title": "t", "body": "b"}` + prefixComma(fields) + `}}`
}

func datadogWith(fields string) string {
	return `{"name": "n", "trigger_type": "datadog", "config": {"api_key": {"type": "plain", "value": "k"}, ` +
		`"message": {"title": "t", "body": "b"}` + prefixComma(fields) + `}}`
}

func teamsWith(fields string) string {
	return `{"name": "n", "trigger_type": "teams", "config": {"teams_url": {"type": "plain", "value": "https://x.logic.azure.com/w"}, ` +
		`"message": {"title": "t", "body": "b"}` + prefixComma(fields) + `}}`
}

func prefixComma(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}

func TestParseIncidentTriggerErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, json string
		want       []string
	}{
		{"pagerduty empty config", `{"name": "n", "trigger_type": "pagerduty", "config": {}}`, []string{
			`t.json: config: missing required field "routing_key"`,
			`t.json: config: missing required field "message"`,
		}},
		{"pagerduty blank key", `{"name": "n", "trigger_type": "pagerduty", "config": {"routing_key": {"type": "plain", "value": " "}, "message": {"title": "t", "body": "b"}}}`, []string{
			`t.json: config.routing_key: routing key must not be blank`,
		}},
		{"pagerduty severity", pagerDutyWith(`"severity": "Critical"`), []string{
			`t.json: config.severity: invalid value "Critical" (expected one of "critical", "error", "warning", "info"); values are case-sensitive: use "critical"`,
		}},
		{"pagerduty severity not a string", pagerDutyWith(`"severity": 1`), []string{
			`t.json: config.severity: expected string, got number`,
		}},
		{"pagerduty links", pagerDutyWith(`"links": [{"href": "ftp://x"}, {"text": "t"}, "x"]`), []string{
			`t.json: config.links[0].href: must start with https:// or http:// (a template such as https://stellar.expert/explorer/public/tx/${transaction.hash})`,
			`t.json: config.links[1]: missing required field "href"`,
			`t.json: config.links[2]: expected link (object), got string`,
		}},
		{"pagerduty summary too long", `{"name": "n", "trigger_type": "pagerduty", "config": {"routing_key": {"type": "plain", "value": "k"}, "message": {"title": "` + strings.Repeat("x", 1025) + `", "body": "b"}}}`, []string{
			`t.json: config.message.title: is 1025 bytes; a PagerDuty summary allows at most 1024`,
		}},
		{"pagerduty auto resolve too short", pagerDutyWith(`"auto_resolve_after": 10`), []string{
			`t.json: config.auto_resolve_after: is 10ms; it must be between 1s and 168h0m0s`,
		}},
		{"pagerduty auto resolve wrong type", pagerDutyWith(`"auto_resolve_after": "1h"`), []string{
			`t.json: config.auto_resolve_after: expected duration ({"secs": …, "nanos": …} or milliseconds), got string`,
		}},
		{"pagerduty unknown field", pagerDutyWith(`"integration_key": "x"`), []string{
			`t.json: config: unknown field "integration_key" (allowed: routing_key, severity, source, component, group, class, links, redact_details, message, auto_resolve_after, retry_policy)`,
		}},
		{"opsgenie empty config", `{"name": "n", "trigger_type": "opsgenie", "config": {"message": {"title": "t", "body": ""}}}`, []string{
			`t.json: config: missing required field "api_key"`,
			`t.json: config.message.body: must not be blank`,
		}},
		{"opsgenie region and priority", opsgenieWith(`"region": "EU", "priority": "P6"`), []string{
			`t.json: config.region: invalid value "EU" (expected one of "us", "eu"); values are case-sensitive: use "eu"`,
			`t.json: config.priority: invalid value "P6" (expected one of "P1", "P2", "P3", "P4", "P5")`,
		}},
		{"opsgenie responders", opsgenieWith(`"responders": [{"type": "team"}, {"type": "user", "name": "x"}, {"type": "schedule", "username": "x"}, {"type": "squad", "id": "1"}]`), []string{
			`t.json: config.responders[0]: needs exactly one of "id", "name" or "username", got 0`,
			`t.json: config.responders[1].name: a user responder is named by "id" or "username"`,
			`t.json: config.responders[2].username: only a user responder has a "username"; a schedule is named by "id" or "name"`,
			`t.json: config.responders[3].type: invalid value "squad" (expected one of "team", "user", "escalation", "schedule")`,
		}},
		{"opsgenie tags", opsgenieWith(`"tags": ["", "` + strings.Repeat("t", 51) + `"]`), []string{
			`t.json: config.tags[0]: must not be blank`,
			`t.json: config.tags[1]: is 51 bytes; at most 50`,
		}},
		{"datadog site and alert type", datadogWith(`"site": "datadoghq.org", "alert_type": "critical", "priority": "high"`), []string{
			`t.json: config.site: invalid value "datadoghq.org" (expected one of "datadoghq.com", "datadoghq.eu", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com")`,
			`t.json: config.alert_type: invalid value "critical" (expected one of "error", "warning", "info", "success", "user_update", "recommendation", "snapshot")`,
			`t.json: config.priority: invalid value "high" (expected one of "normal", "low")`,
		}},
		{"datadog aggregation key too long", datadogWith(`"aggregation_key": "` + strings.Repeat("a", 101) + `"`), []string{
			`t.json: config.aggregation_key: is 101 bytes; at most 100`,
		}},
		{"datadog cannot resolve", datadogWith(`"auto_resolve_after": {"secs": 60, "nanos": 0}`), []string{
			`t.json: config.auto_resolve_after: is not supported: a Datadog event is a record, not an incident; only pagerduty and opsgenie triggers can resolve what they opened`,
		}},
		{"datadog missing key", `{"name": "n", "trigger_type": "datadog", "config": {"api_key": {"type": "environment", "value": ""}, "message": {"title": "t", "body": "b"}}}`, []string{
			`t.json: config.api_key.value: must name the environment secret, got an empty string`,
		}},
		{"teams url", `{"name": "n", "trigger_type": "teams", "config": {"teams_url": {"type": "plain", "value": "http://x.logic.azure.com/w"}, "message": {"title": "t", "body": "b"}}}`, []string{
			`t.json: config.teams_url: Teams webhook URL must start with https://`,
		}},
		{"teams without message", `{"name": "n", "trigger_type": "teams", "config": {"teams_url": {"type": "plain", "value": "https://x.logic.azure.com/w"}}}`, []string{
			`t.json: config: missing required field "message"`,
		}},
		{"teams cannot resolve", teamsWith(`"auto_resolve_after": 60000`), []string{
			`t.json: config.auto_resolve_after: is not supported: a Teams message has nothing to resolve; only pagerduty and opsgenie triggers can resolve what they opened`,
		}},
		{"type in the wrong case", `{"name": "n", "trigger_type": "PagerDuty", "config": {}}`, []string{
			`t.json: trigger_type: invalid value "PagerDuty" (expected one of "slack", "email", "webhook", "telegram", "discord", "script", "pagerduty", "opsgenie", "datadog", "teams"); values are case-sensitive: use "pagerduty"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTrigger("t.json", []byte(tc.json))
			es := AsValidationErrors(err)
			if len(es) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(es), len(tc.want), err)
			}
			for i, w := range tc.want {
				if es[i].Error() != w {
					t.Errorf("error %d:\n got %s\nwant %s", i, es[i], w)
				}
			}
		})
	}
}
