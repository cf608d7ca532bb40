package notify

import "testing"

func TestDestinationNamesHostOnly(t *testing.T) {
	cases := []struct {
		ch   Channel
		want string
	}{
		{newSlack("s", "https://hooks.slack.com/services/T0/B0/secret", messageTemplate{}), "hooks.slack.com"},
		{newDiscord("d", "https://discord.com/api/webhooks/1/secret", messageTemplate{}), "discord.com"},
		{mustWebhook(t, "https://user:pw@example.com:8443/hook?token=x"), "example.com:8443"},
		{&emailChannel{cfg: emailConfig{Host: "smtp.example.com", Port: 587}}, "smtp.example.com:587"},
		{&scriptChannel{}, "script"},
	}
	for _, c := range cases {
		if got := Destination(c.ch); got != c.want {
			t.Errorf("%v: destination %q, want %q", c.ch, got, c.want)
		}
	}
}

func mustWebhook(t *testing.T, u string) *webhookChannel {
	t.Helper()
	w, err := newWebhook("w", webhookConfig{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	return w
}
