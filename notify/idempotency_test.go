package notify

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// channelFunc is a Channel from outside the package, as a wrapper or a test double would be.
type channelFunc func(context.Context, Notification) error

func (f channelFunc) Send(ctx context.Context, n Notification) error { return f(ctx, n) }

func TestCarriesID(t *testing.T) {
	t.Parallel()
	script := filepath.Join(t.TempDir(), "s.sh")
	if err := os.WriteFile(script, []byte("exit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	must := func(ch Channel, err error) Channel {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	msg := messageTemplate{Title: "t", Body: "b"}
	for _, tc := range []struct {
		name string
		ch   Channel
		want bool
	}{
		{"webhook", must(newWebhook("w", webhookConfig{URL: "https://hooks.example.org/", Message: msg})), true},
		{"webhook, standard", must(newWebhook("w", webhookConfig{URL: "https://hooks.example.org/", Secret: "k",
			Signing: signingStandardWebhooks, Message: msg})), true},
		{"email", must(newEmail("e", emailConfig{Host: "smtp.example.org", Sender: "a@example.org",
			Recipients: []string{"b@example.org"}, Message: msg})), true},
		{"script", must(newScript("s", scriptConfig{Language: "Bash", Path: script, Timeout: time.Second}, EnableScripts(), ScriptDir(filepath.Dir(script)))), true},
		{"slack", newSlack("s", "https://hooks.slack.com/services/T/B/X", msg), false},
		{"discord", newDiscord("d", "https://discord.com/api/webhooks/1/x", msg), false},
		{"telegram", newTelegram("t", "123:abc", "-100", false, msg), false},
		{"foreign channel", channelFunc(func(context.Context, Notification) error { return nil }), false},
		{"nil", nil, false},
	} {
		if got := CarriesID(tc.ch); got != tc.want {
			t.Errorf("%s: CarriesID = %v, want %v", tc.name, got, tc.want)
		}
	}
}
