package notify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ozmon/ozmon/notify"
)

// channelFunc is a Channel from outside the package, as a wrapper or a test double would be.
type channelFunc func(context.Context, notify.Notification) error

func (f channelFunc) Send(ctx context.Context, n notify.Notification) error { return f(ctx, n) }

func TestCarriesID(t *testing.T) {
	t.Parallel()
	script := filepath.Join(t.TempDir(), "s.sh")
	if err := os.WriteFile(script, []byte("exit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	must := func(ch notify.Channel, err error) notify.Channel {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	msg := notify.Message{Title: "t", Body: "b"}
	for _, tc := range []struct {
		name string
		ch   notify.Channel
		want bool
	}{
		{"webhook", must(notify.NewWebhook("w", notify.WebhookConfig{URL: "https://hooks.example.org/", Message: msg})), true},
		{"webhook, standard", must(notify.NewWebhook("w", notify.WebhookConfig{URL: "https://hooks.example.org/", Secret: "k",
			Signing: notify.SigningStandardWebhooks, Message: msg})), true},
		{"email", must(notify.NewEmail("e", notify.EmailConfig{Host: "smtp.example.org", Sender: "a@example.org",
			Recipients: []string{"b@example.org"}, Message: msg})), true},
		{"script", must(notify.NewScript("s", notify.ScriptConfig{Language: "Bash", Path: script, Timeout: time.Second}, notify.EnableScripts(), notify.ScriptDir(filepath.Dir(script)))), true},
		{"slack", notify.NewSlack("s", "https://hooks.slack.com/services/T/B/X", msg), false},
		{"discord", notify.NewDiscord("d", "https://discord.com/api/webhooks/1/x", msg), false},
		{"telegram", notify.NewTelegram("t", "123:abc", "-100", false, msg), false},
		{"foreign channel", channelFunc(func(context.Context, notify.Notification) error { return nil }), false},
		{"nil", nil, false},
	} {
		if got := notify.CarriesID(tc.ch); got != tc.want {
			t.Errorf("%s: CarriesID = %v, want %v", tc.name, got, tc.want)
		}
	}
}
