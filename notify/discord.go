package notify

import (
	"context"
	"net/http"

	"github.com/ozmon/ozmon/monitor"
)

// Discord posts to a Discord webhook: {"content": "*TITLE*\n\nBODY"}.
type Discord struct {
	url  string
	msg  Message
	post *poster
}

// NewDiscord builds a Discord channel for trigger. webhookURL is secret.
func NewDiscord(trigger, webhookURL string, msg Message, opts ...Option) *Discord {
	o := newOptions(opts)
	return &Discord{url: webhookURL, msg: msg, post: newPoster("discord", trigger, o, webhookURL)}
}

// Send posts one message.
func (d *Discord) Send(ctx context.Context, n Notification) error {
	title, body := d.msg.Render(n.Vars)
	payload, err := monitor.MarshalNoEscape(struct {
		Content string `json:"content"`
	}{"*" + title + "*\n\n" + body})
	if err != nil {
		se := d.post.fail(n.TenantID)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	return d.post.do(ctx, n.TenantID, http.MethodPost, d.url, jsonHeader(), payload)
}
