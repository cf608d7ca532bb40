package ozconfig

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A trigger file in OZ's format (docs/compatibility.md#configuration-files), all six types.
const vaultTriggersJSON = `{
  "vault_slack": {
    "name": "Vault Slack alert",
    "trigger_type": "slack",
    "config": {
      "slack_url": { "type": "environment", "value": "VAULT_SLACK_HOOK" },
      "message": { "title": "${monitor.name} fired", "body": "Deposit of ${functions.0.args.amount}" },
      "retry_policy": { "max_retries": 5, "initial_backoff": { "secs": 1, "nanos": 0 }, "max_backoff": { "secs": 30, "nanos": 0 }, "jitter": "none" }
    }
  },
  "vault_discord": {
    "name": "Vault Discord alert",
    "trigger_type": "discord",
    "config": {
      "discord_url": { "type": "plain", "value": "https://discord.com/api/webhooks/111/abc" },
      "message": { "title": "Vault event", "body": "tx ${transaction.hash}" }
    }
  },
  "vault_telegram": {
    "name": "Vault Telegram alert",
    "trigger_type": "telegram",
    "config": {
      "token": { "type": "HashicorpCloudVault", "value": "tg-bot-token" },
      "chat_id": "-100123456789",
      "disable_web_preview": true,
      "message": { "title": "Vault", "body": "*Amount*: ${functions.0.args.amount}" }
    }
  },
  "vault_email": {
    "name": "Vault email alert",
    "trigger_type": "email",
    "config": {
      "host": "smtp.mail.example.org",
      "port": 587,
      "username": { "type": "plain", "value": "alerts@example.org" },
      "password": { "type": "environment", "value": "SMTP_PASS" },
      "message": { "title": "Vault alert", "body": "## Deposit\n\n**Amount:** ${functions.0.args.amount}" },
      "sender": "alerts@example.org",
      "recipients": ["ops@example.org", "sec@example.org"]
    }
  },
  "vault_webhook": {
    "name": "Vault webhook (template)",
    "trigger_type": "webhook",
    "config": {
      "url": { "type": "plain", "value": "https://hooks.example.org/monitor" },
      "method": "put",
      "secret": { "type": "environment", "value": "HOOK_HMAC_KEY" },
      "headers": { "Authorization": "Bearer abc" },
      "message": { "title": "${monitor.name}", "body": "${transaction.hash}" },
      "retry_policy": { "initial_backoff": 500 }
    }
  },
  "vault_webhook_raw": {
    "name": "Vault webhook (raw)",
    "trigger_type": "webhook",
    "config": {
      "url": { "type": "plain", "value": "https://ingest.example.org/matches" },
      "payload_mode": "raw",
      "headers": { "X-API-Key": "k1" }
    }
  },
  "vault_script": {
    "name": "Vault custom action",
    "trigger_type": "script",
    "config": { "language": "Python", "script_path": "./config/triggers/scripts/page_oncall.py", "arguments": ["--team", "vault"], "timeout_ms": 3000 }
  }
}`

func TestParseTriggers(t *testing.T) {
	t.Parallel()
	ts, err := ParseTriggers("triggers/vault.json", []byte(vaultTriggersJSON))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	byKey := map[string]*Trigger{}
	for _, tr := range ts {
		order = append(order, tr.Key)
		byKey[tr.Key] = tr
	}
	if got := strings.Join(order, ","); got != "vault_slack,vault_discord,vault_telegram,vault_email,vault_webhook,vault_webhook_raw,vault_script" {
		t.Fatalf("keys not in file order: %s", got)
	}
	slack := byKey["vault_slack"].Slack
	if slack == nil || slack.SlackURL.Reference() != "VAULT_SLACK_HOOK" || slack.Message.Title != "${monitor.name} fired" {
		t.Errorf("slack: %+v", slack)
	}
	if rp := slack.RetryPolicy; rp.MaxRetries != 5 || rp.BaseForBackoff != 2 || rp.InitialBackoff != time.Second ||
		rp.MaxBackoff != 30*time.Second || rp.Jitter != JitterNone {
		t.Errorf("slack retry policy: %v", rp)
	}
	if d := byKey["vault_discord"].Discord; d == nil || d.RetryPolicy != DefaultRetryPolicy() {
		t.Errorf("discord: %+v", d)
	}
	if tg := byKey["vault_telegram"].Telegram; tg == nil || tg.Token.Kind() != SecretHashicorpCloudVault || !tg.DisableWebPreview || tg.ChatID != "-100123456789" {
		t.Errorf("telegram: %+v", tg)
	}
	if e := byKey["vault_email"].Email; e == nil || e.Port != 587 || len(e.Recipients) != 2 || e.Password.Reference() != "SMTP_PASS" {
		t.Errorf("email: %+v", e)
	}
	w := byKey["vault_webhook"].Webhook
	if w == nil || w.Method != "PUT" || w.Secret == nil || w.Secret.Reference() != "HOOK_HMAC_KEY" ||
		w.Headers["Authorization"] != "Bearer abc" || w.PayloadMode != PayloadTemplate || w.RetryPolicy.InitialBackoff != 500*time.Millisecond {
		t.Errorf("webhook: %+v", w)
	}
	raw := byKey["vault_webhook_raw"].Webhook
	if raw == nil || raw.Method != "POST" || raw.Message != nil || raw.PayloadMode != PayloadRaw || raw.Secret != nil {
		t.Errorf("raw webhook: %+v", raw)
	}
	if s := byKey["vault_script"].Script; s == nil || s.Language != LanguagePython || s.TimeoutMs != 3000 || len(s.Arguments) != 2 {
		t.Errorf("script: %+v", s)
	}
	// Marshalled back in OZ form: config under "config", durations as serde.
	b, err := json.Marshal(byKey["vault_slack"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"trigger_type":"slack"`, `"config":{"slack_url":{"type":"Environment","value":"VAULT_SLACK_HOOK"}`,
		`"initial_backoff":{"secs":1,"nanos":0}`, `"max_backoff":{"secs":30,"nanos":0}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("marshalled trigger lacks %s: %s", want, b)
		}
	}
}

func TestParseTriggerErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, json string
		want       []string
	}{
		{"config of another type", `{"name": "n", "trigger_type": "slack", "config": {"url": {"type": "plain", "value": "https://hooks.slack.com/x"}, "message": {"title": "t", "body": "b"}}}`, []string{
			`t.json: config: missing required field "slack_url"`,
			`t.json: config: unknown field "url" (allowed: slack_url, message, retry_policy)`,
		}},
		{"discord body too long", `{"name": "n", "trigger_type": "discord", "config": {"discord_url": {"type": "plain", "value": "https://discord.com/api/webhooks/1/a"}, "message": {"title": "t", "body": "` + strings.Repeat("x", 2001) + `"}}}`, []string{
			`t.json: config.message.body: is 2001 bytes; Discord allows at most 2000`,
		}},
		{"telegram blank fields", `{"name": "n", "trigger_type": "telegram", "config": {"token": {"type": "plain", "value": " "}, "chat_id": "", "message": {"title": "t", "body": " "}}}`, []string{
			`t.json: config.token: bot token must not be blank`,
			`t.json: config.chat_id: must not be blank`,
			`t.json: config.message.body: must not be blank`,
		}},
		{"email control characters", `{"name": "n", "trigger_type": "email", "config": {"host": "smtp.example.org", "username": {"type": "plain", "value": "u"}, "password": {"type": "plain", "value": ""}, "message": {"title": "a\u0007b", "body": "x\u0001"}, "sender": "a@example.org", "recipients": ["b@example.org"]}}`, []string{
			`t.json: config.password: must not be blank`,
			`t.json: config.message.title: must not contain control characters`,
			`t.json: config.message.body: must not contain control characters other than tab, CR and LF`,
		}},
		{"email empty subject and body", `{"name": "n", "trigger_type": "email", "config": {"host": "smtp.example.org", "username": {"type": "plain", "value": "u"}, "password": {"type": "plain", "value": "p"}, "message": {"title": "", "body": "  "}, "sender": "a@example.org", "recipients": ["b@example.org"]}}`, []string{
			`t.json: config.message.title: must not be blank`,
			`t.json: config.message.body: must not be blank`,
		}},
		{"webhook url and retry", `{"name": "n", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "ftp://x"}, "message": {"title": "t"}, "retry_policy": {"max_backoff": "10s", "initial_backoff": {"secs": 1}}}}`, []string{
			`t.json: config.url: webhook URL must start with http:// or https://`,
			`t.json: config.message: missing required field "body"`,
			`t.json: config.retry_policy.initial_backoff: missing required field "nanos"`,
			`t.json: config.retry_policy.max_backoff: expected duration ({"secs": …, "nanos": …} or milliseconds), got string`,
		}},
		{"script", `{"name": "n", "trigger_type": "script", "config": {"language": "Node", "script_path": "", "timeout_ms": 5000000000}}`, []string{
			`t.json: config.script_path: must not be empty`,
			`t.json: config.language: invalid value "Node" (expected one of "Python", "JavaScript", "Bash")`,
			`t.json: config.timeout_ms: 5000000000 is out of range (maximum 4294967295)`,
		}},
		{"webhook signing unknown", webhookWith(`"signing": "svix", "secret": {"type": "plain", "value": "k"}`), []string{
			`t.json: config.signing: invalid value "svix" (expected one of "oz", "standard_webhooks")`,
		}},
		{"webhook signing letter case", webhookWith(`"signing": "Standard_Webhooks", "secret": {"type": "plain", "value": "k"}`), []string{
			`t.json: config.signing: invalid value "Standard_Webhooks" (expected one of "oz", "standard_webhooks"); values are case-sensitive: use "standard_webhooks"`,
		}},
		{"webhook signing not a string", webhookWith(`"signing": true`), []string{
			`t.json: config.signing: expected string, got boolean`,
		}},
		{"standard webhooks without secret", webhookWith(`"signing": "standard_webhooks"`), []string{
			`t.json: config: missing required field "secret" (required when signing is "standard_webhooks")`,
		}},
		{"standard webhooks with null secret", webhookWith(`"signing": "standard_webhooks", "secret": null`), []string{
			`t.json: config: missing required field "secret" (required when signing is "standard_webhooks")`,
		}},
		// The invalid secret is reported once, by the secret reader, not again as missing.
		{"standard webhooks with an invalid secret", webhookWith(`"signing": "standard_webhooks", "secret": "s3cr3t"`), []string{
			`t.json: config.secret: expected secret object {"type": …, "value": …}, got string`,
		}},
		{"standard webhooks with an empty secret", webhookWith(`"signing": "standard_webhooks", "secret": {"type": "plain", "value": ""}`), []string{
			`t.json: config.secret: must not be empty when signing is "standard_webhooks"`,
		}},
		{"standard webhooks whsec_ not base64", webhookWith(`"signing": "standard_webhooks", "secret": {"type": "plain", "value": "whsec_s3cr3t!!"}`), []string{
			`t.json: config.secret: a "whsec_" secret must continue with a non-empty standard base64 key`,
		}},
		{"standard webhooks whsec_ without key", webhookWith(`"signing": "standard_webhooks", "secret": {"type": "plain", "value": "whsec_"}`), []string{
			`t.json: config.secret: a "whsec_" secret must continue with a non-empty standard base64 key`,
		}},
		{"not an object", `[]`, []string{`t.json: expected trigger (object), got array`}},
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

// webhookWith is a valid template webhook trigger with extra config fields.
func webhookWith(fields string) string {
	return `{"name": "n", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://hooks.example.org/x"}, ` +
		`"message": {"title": "t", "body": "b"}, ` + fields + `}}`
}

func TestParseWebhookSigning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, fields string
		want         WebhookSigning
		marshalled   string // expected in the marshalled trigger; "" means no "signing" key
	}{
		{"absent", `"secret": {"type": "plain", "value": "k"}`, "", ""},
		{"absent and unsigned", `"method": "POST"`, "", ""},
		{"oz", `"signing": "oz", "secret": {"type": "plain", "value": "k"}`, SigningOZ, `"signing":"oz"`},
		{"oz unsigned", `"signing": "oz"`, SigningOZ, `"signing":"oz"`},
		{"null is absent", `"signing": null`, "", ""},
		{"standard, raw secret", `"signing": "standard_webhooks", "secret": {"type": "plain", "value": "k"}`, SigningStandardWebhooks, `"signing":"standard_webhooks"`},
		{"standard, whsec_ secret", `"signing": "standard_webhooks", "secret": {"type": "plain", "value": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`, SigningStandardWebhooks, `"signing":"standard_webhooks"`},
		// Only plain values are checked at parse time; the others are resolved later.
		{"standard, environment secret", `"signing": "standard_webhooks", "secret": {"type": "environment", "value": "HOOK_KEY"}`, SigningStandardWebhooks, `"signing":"standard_webhooks"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, err := ParseTrigger("t.json", []byte(webhookWith(tc.fields)))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Webhook.Signing != tc.want {
				t.Fatalf("signing %q, want %q", tr.Webhook.Signing, tc.want)
			}
			b, err := json.Marshal(tr)
			if err != nil {
				t.Fatal(err)
			}
			has := strings.Contains(string(b), `"signing"`)
			if tc.marshalled == "" && has {
				t.Fatalf("default signing written out (OZ would reject it): %s", b)
			}
			if tc.marshalled != "" && !strings.Contains(string(b), tc.marshalled) {
				t.Fatalf("marshalled trigger lacks %s: %s", tc.marshalled, b)
			}
		})
	}
}

// An unknown field lists "signing" among the allowed ones, after OZ's own.
func TestWebhookUnknownFieldListsSigning(t *testing.T) {
	t.Parallel()
	_, err := ParseTrigger("t.json", []byte(webhookWith(`"sign": "oz"`)))
	want := `t.json: config: unknown field "sign" (allowed: url, method, secret, headers, payload_mode, message, retry_policy, signing)`
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseTriggersFileShape(t *testing.T) {
	t.Parallel()
	_, err := ParseTriggers("triggers/x.json", []byte(`{"a": null, "b": [], "a": {}}`))
	want := "triggers/x.json: duplicate key \"a\"\ntriggers/x.json: a: expected trigger (object), got null\ntriggers/x.json: b: expected trigger (object), got array"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestRetryPolicyBackoff(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	for n, want := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second} {
		if got := p.Backoff(n); got != want {
			t.Errorf("attempt %d: %s, want %s", n, got, want)
		}
	}
	if got := p.Backoff(100); got != 10*time.Second {
		t.Errorf("not capped: %s", got)
	}
}
