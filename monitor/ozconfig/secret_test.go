package ozconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const plainSecret = "xoxb-super-secret-value"

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestSecretResolve(t *testing.T) {
	t.Parallel()
	lookup := env(map[string]string{"HOOK": "https://hooks.slack.com/services/x"})
	for _, tc := range []struct {
		s       SecretValue
		want    string
		wantErr string
	}{
		{PlainSecret(plainSecret), plainSecret, ""},
		{EnvSecret("HOOK"), "https://hooks.slack.com/services/x", ""},
		{EnvSecret("MISSING"), "", "environment variable MISSING is not set"},
		{VaultSecret("tg-token"), "", `HashiCorp Cloud Vault secret "tg-token": vault secrets are not supported`},
		{SecretValue{}, "", "secret is empty"},
	} {
		got, err := tc.s.Resolve(lookup)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrSecretUnresolvable) {
				t.Errorf("%v: got %q, %v; want error containing %q", tc.s, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v: got %q, %v; want %q", tc.s, got, err, tc.want)
		}
	}
}

func TestSecretKindAnyCase(t *testing.T) {
	t.Parallel()
	for _, spelling := range []string{"plain", "Plain", "PLAIN", "pLaIn"} {
		n, err := ParseNetwork("n.json", []byte(`{"network_type": "EVM", "slug": "e", "name": "E",
			"rpc_urls": [{"type_": "rpc", "url": {"type": "`+spelling+`", "value": "https://x.example", "extra": 1}, "weight": 1}],
			"block_time_ms": 1000, "confirmation_blocks": 1, "cron_schedule": "0 * * * * *"}`))
		if err != nil {
			t.Fatalf("%s: %v", spelling, err)
		}
		if k := n.RPCURLs[0].URL.Kind(); k != SecretPlain {
			t.Errorf("%s: kind %q", spelling, k)
		}
	}
}

// No formatting verb, JSON encoding or error text may carry a Plain value.
func TestSecretRedaction(t *testing.T) {
	t.Parallel()
	trig, err := ParseTrigger("t.json", []byte(`{"name": "hook", "trigger_type": "webhook", "config": {
		"url": {"type": "plain", "value": "https://hooks.example.org/`+plainSecret+`"},
		"secret": {"type": "plain", "value": "`+plainSecret+`"},
		"message": {"title": "t", "body": "b"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := PlainSecret(plainSecret)
	type holder struct {
		hidden SecretValue
		Shown  SecretValue
	}
	h := holder{hidden: s, Shown: s}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s), fmt.Sprintf(verb, h),
			fmt.Sprintf(verb, trig.Webhook), fmt.Sprintf(verb, *trig.Webhook), fmt.Sprintf(verb, trig))
	}
	for _, v := range []any{s, trig, *trig, trig.Webhook, *trig.Webhook, h} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	_, err = ParseTrigger("t.json", []byte(`{"name": "s", "trigger_type": "slack", "config": {
		"slack_url": {"type": "plain", "value": "https://evil.example/`+plainSecret+`"},
		"message": {"title": "", "body": ""}, "retry_policy": {"max_retries": "`+plainSecret+`"}}}`))
	if err == nil {
		t.Fatal("bad slack trigger accepted")
	}
	outputs = append(outputs, err.Error())
	for _, out := range outputs {
		if strings.Contains(out, plainSecret) || strings.Contains(out, fmt.Sprintf("%x", plainSecret)) {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if got := fmt.Sprint(s); got != "Plain([REDACTED])" {
		t.Errorf("String: %q", got)
	}
	if got := fmt.Sprint(EnvSecret("SLACK_HOOK")); got != "Environment(SLACK_HOOK)" {
		t.Errorf("env String: %q", got)
	}
	b, _ := json.Marshal(EnvSecret("SLACK_HOOK"))
	if string(b) != `{"type":"Environment","value":"SLACK_HOOK"}` {
		t.Errorf("env JSON: %s", b)
	}
	// The value is still there for whoever asks explicitly.
	if v, _ := trig.Webhook.Secret.Resolve(nil); v != plainSecret {
		t.Errorf("Resolve lost the value: %q", v)
	}
}
