package notify

import (
	"context"
	"regexp"
	"strings"
)

// telegramChannel sends through the Bot API's sendMessage with MarkdownV2 formatting.
type telegramChannel struct {
	endpoint       string
	chatID         string
	disablePreview bool
	msg            messageTemplate
	post           *poster
}

// newTelegram builds a Telegram channel for trigger. token is the bot token (secret); the API
// base URL is https://api.telegram.org unless TelegramBaseURL says otherwise.
func newTelegram(trigger, token, chatID string, disableWebPreview bool, msg messageTemplate, opts ...Option) *telegramChannel {
	o := newOptions(opts)
	endpoint := strings.TrimRight(o.telegramBase, "/") + "/bot" + token + "/sendMessage"
	return &telegramChannel{
		endpoint:       endpoint,
		chatID:         chatID,
		disablePreview: disableWebPreview,
		msg:            msg,
		post:           newPoster("telegram", trigger, o, endpoint, token),
	}
}

type telegramPayload struct {
	ChatID                string `json:"chat_id"`
	Text                  string `json:"text"`
	ParseMode             string `json:"parse_mode"`
	DisableWebPagePreview bool   `json:"disable_web_page_preview"`
}

// Send posts one message. The text is "*TITLE* \n\nBODY" with both parts escaped for
// MarkdownV2 (the space after the closing asterisk is OpenZeppelin Monitor's).
func (t *telegramChannel) Send(ctx context.Context, n Notification) error {
	title, body := t.msg.Render(n.Vars)
	return t.post.postJSON(ctx, n.TenantID, t.endpoint, telegramPayload{
		ChatID:                t.chatID,
		Text:                  "*" + escapeMarkdownV2(title) + "* \n\n" + escapeMarkdownV2(body),
		ParseMode:             "MarkdownV2",
		DisableWebPagePreview: t.disablePreview,
	})
}

// markdownEntity matches the spans escapeMarkdownV2 keeps as written: fenced and inline code,
// bold, italic and strike-through, and links (whose label and URL are escaped separately).
var markdownEntity = regexp.MustCompile("(?s)```.*?```|`[^`]*`|\\*[^*]*\\*|_[^_]*_|~[^~]*~|\\[([^\\]]+)\\]\\(([^)]+)\\)")

const markdownV2Special = "_*[]()~`>#+-=|{}.!\\"

func escapeMarkdownChars(b *strings.Builder, s string) {
	for _, r := range s {
		if strings.ContainsRune(markdownV2Special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// escapeMarkdownV2 escapes text for Telegram's MarkdownV2 the way OpenZeppelin Monitor does:
// each of _ * [ ] ( ) ~ ` > # + - = | { } . ! \ gets a backslash, except inside recognised
// entities (```…```, `…`, *…*, _…_, ~…~), which are copied verbatim; in a link [label](url)
// the label and URL characters are escaped individually.
func escapeMarkdownV2(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	last := 0
	for _, m := range markdownEntity.FindAllStringSubmatchIndex(text, -1) {
		escapeMarkdownChars(&b, text[last:m[0]])
		if m[2] >= 0 && m[4] >= 0 {
			b.WriteByte('[')
			escapeMarkdownChars(&b, text[m[2]:m[3]])
			b.WriteString("](")
			escapeMarkdownChars(&b, text[m[4]:m[5]])
			b.WriteByte(')')
		} else {
			b.WriteString(text[m[0]:m[1]])
		}
		last = m[1]
	}
	escapeMarkdownChars(&b, text[last:])
	return b.String()
}
