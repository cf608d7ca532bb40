package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

func parseTrigger(t *testing.T, js string) *ozconfig.Trigger {
	t.Helper()
	ts, err := ozconfig.ParseTriggers("triggers.json", []byte(js))
	if err != nil {
		t.Fatalf("parse triggers: %v", err)
	}
	if len(ts) != 1 {
		t.Fatalf("%d triggers", len(ts))
	}
	return ts[0]
}

// An OZ webhook trigger file, with its HMAC key in the environment, delivers a signed
// request; without WithLookupEnv the environment secret cannot be resolved at all.
func TestNewWebhookFromTriggerJSON(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	tr := parseTrigger(t, fmt.Sprintf(`{"vault_webhook": {
	  "name": "Vault webhook", "trigger_type": "webhook",
	  "config": {
	    "url": {"type": "plain", "value": %q},
	    "method": "POST",
	    "secret": {"type": "Environment", "value": "HOOK_HMAC_KEY"},
	    "headers": {"Authorization": "Bearer abc"},
	    "message": {"title": "${monitor.name}", "body": "${transaction.hash}"}
	  }}}`, sink.URL()+"/monitor"))

	_, err := New(tr, WithGuard(localGuard(t)))
	if !errors.Is(err, ozconfig.ErrSecretUnresolvable) {
		t.Fatalf("environment secret without WithLookupEnv: got %v", err)
	}
	env := map[string]string{"HOOK_HMAC_KEY": "key-from-env"}
	ch, err := New(tr, WithGuard(localGuard(t)), WithLookupEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := sink.Requests()[0]
	if want := `{"title":"Vault <deposits>","body":"ab12cd"}`; string(r.Body) != want {
		t.Fatalf("body %s", r.Body)
	}
	if got, want := r.Header.Get("X-Signature"), recomputeSignature("key-from-env", r.Body, r.Header.Get("X-Timestamp")); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
}

func TestNewEmailAndScriptFromTriggerJSON(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPCredentials("alerts@example.org", "pw-123456"))
	tr := parseTrigger(t, fmt.Sprintf(`{"vault_email": {
	  "name": "Vault email", "trigger_type": "email",
	  "config": {
	    "host": "127.0.0.1", "port": %d,
	    "username": {"type": "plain", "value": "alerts@example.org"},
	    "password": {"type": "plain", "value": "pw-123456"},
	    "message": {"title": "Alert ${monitor.name}", "body": "**${transaction.hash}**"},
	    "sender": "alerts@example.org",
	    "recipients": ["ops@example.org"]
	  }}}`, sink.Port()))
	ch, err := New(tr, WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Subject: Alert Vault <deposits>") {
		t.Fatalf("messages %+v", msgs)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "page.sh"), []byte("cat > got.json\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	st := parseTrigger(t, fmt.Sprintf(`{"s": {"name": "Page", "trigger_type": "script",
	  "config": {"language": "Bash", "script_path": %q, "arguments": ["--team", "vault"], "timeout_ms": 3000}}}`,
		filepath.Join(dir, "page.sh")))
	if _, err := New(st); !errors.Is(err, errScriptsDisabled) {
		t.Fatalf("script without EnableScripts: got %v", err)
	}
	sc, err := New(st, EnableScripts(), ScriptDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte(`{"m":1}`)}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "got.json"))
	if string(got) != `{"monitor_match":{"m":1},"args":["--team","vault"]}` {
		t.Fatalf("script stdin %s", got)
	}
	if p := RetryPolicy(tr); p.MaxRetries != 3 || p.InitialBackoff != 250*time.Millisecond {
		t.Fatalf("email retry policy %+v", p)
	}
}

// A Slack trigger as OZ validates it (https://hooks.slack.com/…) builds, and printing the
// channel never shows its token.
func TestNewSlackTriggerAndSecretSafety(t *testing.T) {
	t.Parallel()
	tr := parseTrigger(t, `{"s": {"name": "Slack", "trigger_type": "slack", "config": {
	  "slack_url": {"type": "plain", "value": "https://hooks.slack.com/services/T0/B0/SLACKTOKEN123"},
	  "message": {"title": "t", "body": "b"}}}}`)
	ch, err := New(tr)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ch.(*slackChannel); !ok {
		t.Fatalf("got %T", ch)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", ch, ch, ch, ch); strings.Contains(s, "SLACKTOKEN123") || !strings.Contains(s, "Slack") {
		t.Fatalf("formatting the channel: %s", s)
	}
}

// The "signing" field of a webhook trigger reaches the channel: a standard_webhooks trigger
// sends headers a Standard Webhooks receiver verifies, and no X-Signature.
func TestNewWebhookStandardSigningFromTriggerJSON(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	tr := parseTrigger(t, fmt.Sprintf(`{"std": {
	  "name": "Standard webhook", "trigger_type": "webhook",
	  "config": {
	    "url": {"type": "plain", "value": %q},
	    "secret": {"type": "plain", "value": %q},
	    "signing": "standard_webhooks",
	    "payload_mode": "raw"
	  }}}`, sink.URL()+"/std", specSecret))
	ch, err := New(tr, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	const id = "ntf_00000000000000000000000000000001"
	if err := ch.Send(context.Background(), Notification{ID: id, TenantID: "t1", MatchJSON: []byte(`{"m":1}`)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := sink.Requests()[0]
	if err := VerifyStandardWebhook(specSecret, r.Header, r.Body, 0, time.Now()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if r.Header.Get("webhook-id") != id || r.Header.Get("Idempotency-Key") != id || r.Header.Get("X-Signature") != "" {
		t.Fatalf("headers %v", r.Header)
	}
}
