package notify

import (
	"fmt"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// New builds the channel for a validated trigger, resolving its secrets (environment secrets
// only through WithLookupEnv). A script trigger needs EnableScripts. Errors name the trigger
// but never a secret's value.
func New(t *ozconfig.Trigger, opts ...Option) (Channel, error) {
	if t == nil {
		return nil, fmt.Errorf("notify: build channel: nil trigger")
	}
	o := newOptions(opts)
	resolve := func(field string, s ozconfig.SecretValue) (string, error) {
		v, err := s.Resolve(o.lookupEnv)
		if err != nil {
			return "", fmt.Errorf("notify: %s trigger %q: %s: %w", t.TriggerType, t.Name, field, err)
		}
		return v, nil
	}
	switch {
	case t.Slack != nil:
		u, err := resolve("slack_url", t.Slack.SlackURL)
		if err != nil {
			return nil, err
		}
		return newSlack(t.Name, u, message(t.Slack.Message), opts...), nil
	case t.Discord != nil:
		u, err := resolve("discord_url", t.Discord.DiscordURL)
		if err != nil {
			return nil, err
		}
		return newDiscord(t.Name, u, message(t.Discord.Message), opts...), nil
	case t.Telegram != nil:
		tok, err := resolve("token", t.Telegram.Token)
		if err != nil {
			return nil, err
		}
		c := t.Telegram
		return newTelegram(t.Name, tok, c.ChatID, c.DisableWebPreview, message(c.Message), opts...), nil
	case t.Email != nil:
		c := t.Email
		user, err := resolve("username", c.Username)
		if err != nil {
			return nil, err
		}
		pass, err := resolve("password", c.Password)
		if err != nil {
			return nil, err
		}
		return newEmail(t.Name, emailConfig{
			Host: c.Host, Port: int(c.Port), Username: user, Password: pass,
			Sender: c.Sender, Recipients: c.Recipients, Message: message(c.Message),
		}, opts...)
	case t.Webhook != nil:
		c := t.Webhook
		u, err := resolve("url", c.URL)
		if err != nil {
			return nil, err
		}
		cfg := webhookConfig{URL: u, Method: c.Method, Headers: c.Headers, Mode: payloadMode(c.PayloadMode), Signing: signingScheme(c.Signing)}
		if c.Secret != nil {
			if cfg.Secret, err = resolve("secret", *c.Secret); err != nil {
				return nil, err
			}
			cfg.Signed = true
		}
		if c.Message != nil {
			cfg.Message = message(*c.Message)
		}
		return newWebhook(t.Name, cfg, opts...)
	case t.PagerDuty != nil:
		k, err := resolve("routing_key", t.PagerDuty.RoutingKey)
		if err != nil {
			return nil, err
		}
		return newPagerDuty(t.Name, k, t.PagerDuty, opts...)
	case t.Opsgenie != nil:
		k, err := resolve("api_key", t.Opsgenie.APIKey)
		if err != nil {
			return nil, err
		}
		return newOpsgenie(t.Name, k, t.Opsgenie, opts...)
	case t.Datadog != nil:
		k, err := resolve("api_key", t.Datadog.APIKey)
		if err != nil {
			return nil, err
		}
		return newDatadog(t.Name, k, t.Datadog, opts...)
	case t.Teams != nil:
		u, err := resolve("teams_url", t.Teams.TeamsURL)
		if err != nil {
			return nil, err
		}
		return newTeams(t.Name, u, message(t.Teams.Message), opts...), nil
	case t.Script != nil:
		c := t.Script
		return newScript(t.Name, scriptConfig{
			Language:  string(c.Language),
			Path:      c.ScriptPath, // confined to the script directory by newScript
			Arguments: c.Arguments,
			Timeout:   time.Duration(c.TimeoutMs) * time.Millisecond,
		}, opts...)
	}
	return nil, fmt.Errorf("notify: trigger %q: no configuration for type %q", t.Name, t.TriggerType)
}

func message(m ozconfig.NotificationMessage) messageTemplate {
	return messageTemplate{Title: m.Title, Body: m.Body}
}
