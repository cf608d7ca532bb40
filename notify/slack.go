package notify

import (
	"context"
	"strings"
)

// slackChannel posts to a Slack incoming webhook with the Block Kit payload OpenZeppelin Monitor sends:
// one mrkdwn section "*TITLE*\n\nBODY". Template values are escaped for mrkdwn (see
// escapeSlack); the template's own text is sent as written.
type slackChannel struct {
	url  string
	msg  messageTemplate
	post *poster
}

// newSlack builds a Slack channel for trigger (its name, used in errors). webhookURL is secret.
func newSlack(trigger, webhookURL string, msg messageTemplate, opts ...Option) *slackChannel {
	o := newOptions(opts)
	return &slackChannel{url: webhookURL, msg: msg, post: newPoster("slack", trigger, o, webhookURL)}
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
}

type slackPayload struct {
	Blocks []slackBlock `json:"blocks"`
}

// Send posts one message.
func (s *slackChannel) Send(ctx context.Context, n Notification) error {
	title, body := s.msg.RenderEscaped(n.Vars, escapeSlack)
	return s.post.postJSON(ctx, n.TenantID, s.url, slackPayload{Blocks: []slackBlock{{
		Type: "section",
		Text: slackText{Type: "mrkdwn", Text: "*" + title + "*\n\n" + body},
	}}})
}

// slackEscaper is immutable once built; Replacer is safe for concurrent use.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeSlack escapes text for Slack mrkdwn as Slack asks: & < > become &amp; &lt; &gt;, so
// a value cannot spell a control sequence (<!channel>, <!here>, <@U123>) or a link whose label
// hides its address (<http://evil|click>). Slack shows the characters as written.
// (OpenZeppelin Monitor sends values unescaped; this is a deliberate difference.)
func escapeSlack(text string) string { return slackEscaper.Replace(text) }
