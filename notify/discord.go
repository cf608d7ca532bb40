package notify

import (
	"context"
	"strings"
)

// discordChannel posts to a Discord webhook: {"content": "*TITLE*\n\nBODY", "allowed_mentions":
// {"parse": []}}. No mention in a message pings anyone, and template values are neutralised
// (see escapeDiscord); the template's own text is sent as written.
type discordChannel struct {
	url  string
	msg  messageTemplate
	post *poster
}

// newDiscord builds a Discord channel for trigger. webhookURL is secret.
func newDiscord(trigger, webhookURL string, msg messageTemplate, opts ...Option) *discordChannel {
	o := newOptions(opts)
	return &discordChannel{url: webhookURL, msg: msg, post: newPoster("discord", trigger, o, webhookURL)}
}

type discordAllowedMentions struct {
	Parse []string `json:"parse"`
}

type discordPayload struct {
	Content string `json:"content"`
	// AllowedMentions with an empty parse list turns off every ping (@everyone, @here, users,
	// roles): without it, "@everyone" in on-chain text would notify the whole server.
	AllowedMentions discordAllowedMentions `json:"allowed_mentions"`
}

// Send posts one message.
func (d *discordChannel) Send(ctx context.Context, n Notification) error {
	title, body := d.msg.RenderEscaped(n.Vars, escapeDiscord)
	return d.post.postJSON(ctx, n.TenantID, d.url, discordPayload{
		Content:         "*" + title + "*\n\n" + body,
		AllowedMentions: discordAllowedMentions{Parse: []string{}},
	})
}

// zwsp (U+200B ZERO WIDTH SPACE) breaks a sequence Discord would parse without changing what
// a reader sees; unlike a backslash it does not show inside a code span.
const zwsp = "\u200b"

// discordEscaper is immutable once built; Replacer is safe for concurrent use.
var discordEscaper = strings.NewReplacer(
	"@everyone", "@"+zwsp+"everyone",
	"@here", "@"+zwsp+"here",
	"<@", "<"+zwsp+"@", // user and role mentions: <@123>, <@!123>, <@&123>
	"<#", "<"+zwsp+"#", // channel mentions
	"</", "<"+zwsp+"/", // slash-command mentions
	"](", "]"+zwsp+"(", // masked links: [click](http://evil)
)

// escapeDiscord neutralises the Discord syntax a value could use to reach people or disguise a
// link: @everyone, @here, <@…>, <#…>, </…> and masked links [label](url) get a zero-width
// space that stops Discord parsing them. allowed_mentions already stops the pings; this keeps
// a value from even looking like a mention or a link with a false label.
func escapeDiscord(text string) string { return discordEscaper.Replace(text) }
