package notify

import "testing"

func TestDestinationNamesHostOnly(t *testing.T) {
	cases := []struct {
		ch   Channel
		want string
	}{
		{NewSlack("s", "https://hooks.slack.com/services/T0/B0/secret", Message{}), "hooks.slack.com"},
		{NewDiscord("d", "https://discord.com/api/webhooks/1/secret", Message{}), "discord.com"},
		{mustWebhook(t, "https://user:pw@example.com:8443/hook?token=x"), "example.com:8443"},
		{&Email{cfg: EmailConfig{Host: "smtp.example.com", Port: 587}}, "smtp.example.com:587"},
		{&Script{}, "script"},
	}
	for _, c := range cases {
		if got := Destination(c.ch); got != c.want {
			t.Errorf("%v: destination %q, want %q", c.ch, got, c.want)
		}
	}
}

func mustWebhook(t *testing.T, u string) *Webhook {
	t.Helper()
	w, err := NewWebhook("w", WebhookConfig{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	return w
}
