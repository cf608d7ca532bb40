package notify

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Check is the validation-time half of the SSRF defence: it resolves t's secrets as New would
// and refuses the trigger if its destination (webhook, Slack, Discord or Teams URL, the
// Telegram, PagerDuty, Opsgenie or Datadog API, the SMTP host) resolves to an address the guard refuses. Call it when a tenant saves a
// trigger; Send checks again at dial time. A script trigger's script_path must stay inside the
// script directory (resolveScript) when scripts are enabled.
func Check(ctx context.Context, t *ozconfig.Trigger, opts ...Option) error {
	if t == nil {
		return fmt.Errorf("notify: check trigger: nil trigger")
	}
	o := newOptions(opts)
	g := o.guardOrDefault()
	resolve := func(field string, s ozconfig.SecretValue) (string, error) {
		v, err := s.Resolve(o.lookupEnv)
		if err != nil {
			return "", fmt.Errorf("notify: check %s trigger %q: %s: %w", t.TriggerType, t.Name, field, err)
		}
		return v, nil
	}
	var target string
	switch {
	case t.Slack != nil:
		u, err := resolve("slack_url", t.Slack.SlackURL)
		if err != nil {
			return err
		}
		target = u
	case t.Discord != nil:
		u, err := resolve("discord_url", t.Discord.DiscordURL)
		if err != nil {
			return err
		}
		target = u
	case t.Webhook != nil:
		u, err := resolve("url", t.Webhook.URL)
		if err != nil {
			return err
		}
		target = u
	case t.Telegram != nil:
		target = o.telegramBase
	case t.PagerDuty != nil:
		target = o.pagerDutyBase
	case t.Opsgenie != nil:
		if target = o.opsgenieBase; target == "" {
			target = opsgenieRegionBase(t.Opsgenie.Region)
		}
	case t.Datadog != nil:
		if target = o.datadogBase; target == "" {
			site := t.Datadog.Site
			if site == "" {
				site = "datadoghq.com"
			}
			target = "https://api." + site
		}
	case t.Teams != nil:
		u, err := resolve("teams_url", t.Teams.TeamsURL)
		if err != nil {
			return err
		}
		target = u
	case t.Email != nil:
		if err := g.CheckHost(ctx, t.Email.Host); err != nil {
			return fmt.Errorf("notify: check email trigger %q: %w", t.Name, err)
		}
		return nil
	case t.Script != nil:
		if err := checkScriptPath(t.Script.ScriptPath, opts...); err != nil {
			return fmt.Errorf("notify: check script trigger %q: %w", t.Name, err)
		}
		return nil
	default:
		return nil
	}
	if err := g.CheckURL(ctx, target); err != nil {
		return fmt.Errorf("notify: check %s trigger %q: %w", t.TriggerType, t.Name, err)
	}
	return nil
}
