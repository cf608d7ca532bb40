package notify

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/monitor"
)

// CheckConfig reports each refused destination as a ValidationError
// naming the trigger's source and key; allowed and script triggers pass.
func TestCheckConfig(t *testing.T) {
	t.Parallel()
	triggers, err := monitor.ParseTriggers("triggers/t.json", []byte(`{
		"private": {"name": "p", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "http://10.1.2.3/x"}, "message": {"title": "t", "body": "b"}}},
		"public": {"name": "q", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://93.184.215.14/x"}, "message": {"title": "t", "body": "b"}}},
		"allowed": {"name": "a", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "http://127.0.0.1:9/x"}, "message": {"title": "t", "body": "b"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &monitor.Config{Triggers: map[string]*monitor.Trigger{"nil": nil}}
	for _, tr := range triggers {
		cfg.Triggers[tr.Key] = tr
	}
	cfg.Triggers["code"] = &monitor.Trigger{Key: "code", Name: "c", TriggerType: monitor.TriggerWebhook,
		Webhook: &monitor.WebhookConfig{URL: monitor.PlainSecret("http://169.254.169.254/")}}
	g, err := NewGuard(Allow("127.0.0.1/32"))
	if err != nil {
		t.Fatal(err)
	}
	got := CheckConfig(context.Background(), cfg, WithGuard(g))
	want := []string{
		`triggers: code: notify: check webhook trigger "c": notify: check destination host "169.254.169.254": destination refused: 169.254.169.254 is in 169.254.0.0/16 (not allow-listed)`,
		`triggers/t.json: private: notify: check webhook trigger "p": notify: check destination host "10.1.2.3": destination refused: 10.1.2.3 is in 10.0.0.0/8 (not allow-listed)`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("got  %s\nwant %s", got[i], want[i])
		}
	}
	if CheckConfig(context.Background(), nil) != nil {
		t.Error("a nil config has problems")
	}
}
