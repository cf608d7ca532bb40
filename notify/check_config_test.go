package notify

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// CheckConfig reports each refused destination as a ValidationError
// naming the trigger's source and key; allowed and script triggers pass.
func TestCheckConfig(t *testing.T) {
	t.Parallel()
	triggers, err := ozconfig.ParseTriggers("triggers/t.json", []byte(`{
		"private": {"name": "p", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "http://10.1.2.3/x"}, "message": {"title": "t", "body": "b"}}},
		"public": {"name": "q", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://93.184.215.14/x"}, "message": {"title": "t", "body": "b"}}},
		"allowed": {"name": "a", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "http://127.0.0.1:9/x"}, "message": {"title": "t", "body": "b"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ozconfig.Config{Triggers: map[string]*ozconfig.Trigger{"nil": nil}}
	for _, tr := range triggers {
		cfg.Triggers[tr.Key] = tr
	}
	cfg.Triggers["code"] = &ozconfig.Trigger{Key: "code", Name: "c", TriggerType: ozconfig.TriggerWebhook,
		Webhook: &ozconfig.WebhookConfig{URL: ozconfig.PlainSecret("http://169.254.169.254/")}}
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

// countingResolver answers every host with one public address and counts
// the lookups.
type countingResolver struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *countingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n[host]++
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

// CheckConfig looks each host up once: 2,000 triggers on two hosts cost
// two lookups (it was one per trigger: a 100k-trigger validate spent
// minutes in DNS).
func TestCheckConfigLooksUpEachHostOnce(t *testing.T) {
	t.Parallel()
	cfg := &ozconfig.Config{Triggers: map[string]*ozconfig.Trigger{}}
	for i := range 2000 {
		key := fmt.Sprintf("t%04d", i)
		host := []string{"hooks.example.com", "HOOKS.example.net"}[i%2]
		cfg.Triggers[key] = &ozconfig.Trigger{Key: key, Name: key, TriggerType: ozconfig.TriggerWebhook,
			Webhook: &ozconfig.WebhookConfig{URL: ozconfig.PlainSecret("https://" + host + "/x")}}
	}
	r := &countingResolver{n: map[string]int{}}
	g, err := NewGuard(withResolver(r))
	if err != nil {
		t.Fatal(err)
	}
	if got := CheckConfig(context.Background(), cfg, WithGuard(g)); len(got) != 0 {
		t.Fatalf("refused: %v", got)
	}
	if len(r.n) != 2 || r.n["hooks.example.com"] != 1 || r.n["HOOKS.example.net"] != 1 {
		t.Fatalf("lookups per host: %v, want one each", r.n)
	}
}
