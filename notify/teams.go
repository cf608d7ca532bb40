package notify

import (
	"context"
	"strings"
)

// teamsChannel posts an Adaptive Card to a Microsoft Teams Workflows webhook ("Post to a
// channel when a webhook request is received"; legacy incoming-webhook connectors take the
// same body): a bold TextBlock with the title and a TextBlock with the body. Template values
// are escaped for the card's Markdown (see escapeTeams); the template's own text is sent as
// written.
type teamsChannel struct {
	url  string
	msg  messageTemplate
	post *poster
}

func newTeams(trigger, webhookURL string, msg messageTemplate, opts ...Option) *teamsChannel {
	o := newOptions(opts)
	p := newPoster("teams", trigger, o, webhookURL)
	p.okBody = teamsLegacyFailure
	return &teamsChannel{url: webhookURL, msg: msg, post: p}
}

type teamsTextBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Wrap   bool   `json:"wrap"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
}

type teamsCard struct {
	Schema  string           `json:"$schema"`
	Type    string           `json:"type"`
	Version string           `json:"version"`
	Body    []teamsTextBlock `json:"body"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	Content     teamsCard `json:"content"`
}

type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

// Send posts one card.
func (c *teamsChannel) Send(ctx context.Context, n Notification) error {
	title, body := c.msg.RenderEscaped(n.Vars, escapeTeams)
	return c.post.postJSON(ctx, n.TenantID, c.url, teamsMessage{
		Type: "message",
		Attachments: []teamsAttachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content: teamsCard{
				Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
				Type:    "AdaptiveCard",
				Version: "1.4",
				Body: []teamsTextBlock{
					{Type: "TextBlock", Text: title, Wrap: true, Weight: "Bolder", Size: "Medium"},
					{Type: "TextBlock", Text: body, Wrap: true},
				},
			},
		}},
	})
}

// teamsEscaper is immutable once built; Replacer is safe for concurrent use.
var teamsEscaper = strings.NewReplacer(
	`\`, `\\`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"*", `\*`, "_", `\_`, "`", "\\`", "<", `\<`, ">", `\>`,
)

// escapeTeams escapes a value for an Adaptive Card TextBlock's Markdown: [ ] ( ) * _ ` < >
// and the backslash get a backslash, so a value cannot make a link whose label hides its
// address, bold or italic text, or code; and an <at>…</at> mention tag, in any letter case,
// gets a zero-width space after its '<', so it is never read as one even where the
// backslash is not honoured.
func escapeTeams(text string) string {
	return teamsEscaper.Replace(breakAtTags(text))
}

// breakAtTags puts a zero-width space after the '<' of every "<at" and "</at", whatever the
// letter case.
func breakAtTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '<' && (hasPrefixFold(s[i+1:], "at") || hasPrefixFold(s[i+1:], "/at")) {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII letter case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// teamsLegacyFailure reads a 2xx answer of Teams' legacy connectors, which report some
// failures with 200 and a text ("Webhook message delivery failed with error: Microsoft Teams
// endpoint returned HTTP error 429 …"); Workflows answer 202 with an empty body.
func teamsLegacyFailure(snippet string) *SendError {
	if !strings.HasPrefix(snippet, "Webhook message delivery failed") {
		return nil
	}
	return &SendError{Retryable: strings.Contains(snippet, "429") || strings.Contains(snippet, "HTTP error 5"), Detail: "response: " + snippet}
}
