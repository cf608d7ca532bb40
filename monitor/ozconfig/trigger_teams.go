package ozconfig

// TeamsConfig posts an Adaptive Card to a Microsoft Teams channel through a
// Workflows webhook ("Post to a channel when a webhook request is
// received") or a legacy incoming-webhook connector.
type TeamsConfig struct {
	// TeamsURL is the webhook URL; it embeds its own signature, so it is a
	// secret.
	TeamsURL    SecretValue         `json:"teams_url"`
	Message     NotificationMessage `json:"message"`
	RetryPolicy RetryPolicy         `json:"retry_policy"`
}

// teamsMaxCard keeps a card under the 28 KB Teams accepts per message,
// with room for the card's own JSON.
const teamsMaxCard = 24 << 10

func (r *cfgReader) teamsConfig(o *cfgObject) *TeamsConfig {
	c := &TeamsConfig{}
	if s, ok := o.secret("teams_url", true); ok {
		c.TeamsURL = s
		r.checkURLPrefix(o, "teams_url", s, "Teams webhook URL", "https://")
	}
	var ok bool
	if c.Message, ok = r.message(o, true, true); ok && len(c.Message.Title)+len(c.Message.Body) > teamsMaxCard {
		r.fail(joinKey(o.path, "message"), "title and body are %d bytes; a Teams message allows about %d", len(c.Message.Title)+len(c.Message.Body), teamsMaxCard)
	}
	c.RetryPolicy = r.optRetryPolicy(o)
	r.noAutoResolve(o, "a Teams message has nothing to resolve")
	return c
}
