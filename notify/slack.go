package notify

import (
	"context"
	"net/http"

	"github.com/ozmon/ozmon/monitor"
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
	payload, err := monitor.MarshalNoEscape(slackPayload{Blocks: []slackBlock{{
		Type: "section",
		Text: slackText{Type: "mrkdwn", Text: "*" + title + "*\n\n" + body},
	}}})
	if err != nil {
		se := s.post.fail(n.TenantID)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	return s.post.do(ctx, n.TenantID, http.MethodPost, s.url, jsonHeader(), payload)
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}
