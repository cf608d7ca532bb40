package notify

import (
	"net"
	"net/url"
	"strconv"
)

// Destination names where a channel sends: the host (and port) of its URL,
// the SMTP server of an email trigger, "script" for scripts. It carries no
// path or credentials, so it is safe in logs and metrics. The delivery
// handler bounds deliveries in flight per destination with it, so many
// tenants pointing at one hanging host cannot hold every delivery slot.
func Destination(ch Channel) string {
	switch c := ch.(type) {
	case *slackChannel:
		return hostOf(c.url)
	case *discordChannel:
		return hostOf(c.url)
	case *telegramChannel:
		return hostOf(c.endpoint)
	case *webhookChannel:
		return hostOf(c.cfg.URL)
	case *pagerDutyChannel:
		return hostOf(c.endpoint)
	case *opsgenieChannel:
		return hostOf(c.base)
	case *datadogChannel:
		return hostOf(c.endpoint)
	case *teamsChannel:
		return hostOf(c.url)
	case *emailChannel:
		return net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.Port))
	case *scriptChannel:
		return "script"
	}
	return "unknown"
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "invalid"
	}
	return u.Host
}
