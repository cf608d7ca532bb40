package notify

import "context"

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
	return d.post.postJSON(ctx, n.TenantID, d.url, struct {
		Content string `json:"content"`
	}{"*" + title + "*\n\n" + body})
}
