package notify

import (
	"context"
)

// Slack posts to a Slack incoming webhook with the Block Kit payload OpenZeppelin Monitor sends:
// one mrkdwn section "*TITLE*\n\nBODY".
type Slack struct {
	url  string
	msg  Message
	post *poster
}

// NewSlack builds a Slack channel for trigger (its name, used in errors). webhookURL is secret.
func NewSlack(trigger, webhookURL string, msg Message, opts ...Option) *Slack {
	o := newOptions(opts)
	return &Slack{url: webhookURL, msg: msg, post: newPoster("slack", trigger, o, webhookURL)}
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
func (s *Slack) Send(ctx context.Context, n Notification) error {
	title, body := s.msg.Render(n.Vars)
	return s.post.postJSON(ctx, n.TenantID, s.url, slackPayload{Blocks: []slackBlock{{
		Type: "section",
		Text: slackText{Type: "mrkdwn", Text: "*" + title + "*\n\n" + body},
	}}})
}
