package ozconfig

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/mail"
	"strings"
	"unicode"
)

// TriggerType is a trigger's channel, lowercase as OZ requires.
type TriggerType string

// The trigger types.
const (
	TriggerSlack    TriggerType = "slack"
	TriggerEmail    TriggerType = "email"
	TriggerWebhook  TriggerType = "webhook"
	TriggerTelegram TriggerType = "telegram"
	TriggerDiscord  TriggerType = "discord"
	TriggerScript   TriggerType = "script"
)

// Trigger is an OpenZeppelin Monitor trigger, or one of ozmon's extension
// types (TriggerType.IsExtension). Exactly one of the config pointers is
// set, the one matching TriggerType.
type Trigger struct {
	// Key identifies the trigger: the object key in an OZ trigger file, or
	// the tenant_triggers name column. Monitors reference triggers by Key.
	Key         string
	Name        string
	TriggerType TriggerType

	Slack    *SlackConfig
	Discord  *DiscordConfig
	Telegram *TelegramConfig
	Email    *EmailConfig
	Webhook  *WebhookConfig
	Script   *ScriptConfig

	// ozmon's extension types.
	PagerDuty *PagerDutyConfig
	Opsgenie  *OpsgenieConfig
	Datadog   *DatadogConfig
	Teams     *TeamsConfig

	source string
}

// NotificationMessage is a templated title and body.
type NotificationMessage struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	SlackURL    SecretValue         `json:"slack_url"`
	Message     NotificationMessage `json:"message"`
	RetryPolicy RetryPolicy         `json:"retry_policy"`
}

// DiscordConfig posts to a Discord webhook.
type DiscordConfig struct {
	DiscordURL  SecretValue         `json:"discord_url"`
	Message     NotificationMessage `json:"message"`
	RetryPolicy RetryPolicy         `json:"retry_policy"`
}

// TelegramConfig sends through the Telegram Bot API.
type TelegramConfig struct {
	Token             SecretValue         `json:"token"`
	ChatID            string              `json:"chat_id"`
	DisableWebPreview bool                `json:"disable_web_preview"`
	Message           NotificationMessage `json:"message"`
	RetryPolicy       RetryPolicy         `json:"retry_policy"`
}

// EmailConfig sends mail over SMTP.
type EmailConfig struct {
	Host        string              `json:"host"`
	Port        uint16              `json:"port"`
	Username    SecretValue         `json:"username"`
	Password    SecretValue         `json:"password"`
	Message     NotificationMessage `json:"message"`
	Sender      string              `json:"sender"`
	Recipients  []string            `json:"recipients"`
	RetryPolicy RetryPolicy         `json:"retry_policy"`
}

// PayloadMode says what a webhook sends: the templated message or the raw
// match JSON.
type PayloadMode string

// The payload modes.
const (
	PayloadTemplate PayloadMode = "template"
	PayloadRaw      PayloadMode = "raw"
)

// WebhookSigning says how a signed webhook proves where it came from. It is
// ozmon's extension field "signing"; OpenZeppelin Monitor knows only the
// X-Signature scheme.
type WebhookSigning string

// The signing schemes. The empty value, the field left out, means SigningOZ.
const (
	// SigningOZ is OpenZeppelin Monitor's X-Signature / X-Timestamp HMAC.
	SigningOZ WebhookSigning = "oz"
	// SigningStandardWebhooks is the Standard Webhooks scheme (webhook-id,
	// webhook-timestamp, webhook-signature), which receivers can verify with
	// the spec's libraries. It needs a secret.
	SigningStandardWebhooks WebhookSigning = "standard_webhooks"
)

// WebhookConfig calls an HTTP endpoint. Method is upper-cased; Secret, when
// set, is the HMAC key of the Signing scheme (X-Signature by default).
type WebhookConfig struct {
	URL         SecretValue          `json:"url"`
	Method      string               `json:"method"`
	Secret      *SecretValue         `json:"secret,omitempty"`
	Headers     map[string]string    `json:"headers,omitempty"`
	Message     *NotificationMessage `json:"message,omitempty"`
	PayloadMode PayloadMode          `json:"payload_mode"`
	RetryPolicy RetryPolicy          `json:"retry_policy"`
	// Signing is empty when the field is absent, so that a config written
	// back out stays loadable by OpenZeppelin Monitor, which rejects
	// unknown fields.
	Signing WebhookSigning `json:"signing,omitempty"`
}

// ScriptConfig runs a user script as the notification.
type ScriptConfig struct {
	Language   ScriptLanguage `json:"language"`
	ScriptPath string         `json:"script_path"`
	Arguments  []string       `json:"arguments,omitempty"`
	TimeoutMs  uint32         `json:"timeout_ms"`
}

// Config returns the type-specific configuration (one of the *Config
// pointers), or nil.
func (t *Trigger) Config() any {
	switch {
	case t.Slack != nil:
		return t.Slack
	case t.Discord != nil:
		return t.Discord
	case t.Telegram != nil:
		return t.Telegram
	case t.Email != nil:
		return t.Email
	case t.Webhook != nil:
		return t.Webhook
	case t.Script != nil:
		return t.Script
	case t.PagerDuty != nil:
		return t.PagerDuty
	case t.Opsgenie != nil:
		return t.Opsgenie
	case t.Datadog != nil:
		return t.Datadog
	case t.Teams != nil:
		return t.Teams
	}
	return nil
}

// MarshalJSON writes the OZ trigger object {name, trigger_type, config}
// (secrets redacted).
func (t Trigger) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name        string      `json:"name"`
		TriggerType TriggerType `json:"trigger_type"`
		Config      any         `json:"config"`
	}{t.Name, t.TriggerType, t.Config()})
}

// ParseTriggers reads and validates an OZ trigger file: an object whose keys
// are trigger keys. Triggers come back in file order with Key set. Each
// trigger is held to the limits (DefaultLimits, or those of WithLimits) on
// its own; the file as a whole to TenantBytes.
func ParseTriggers(source string, data []byte, opts ...ParseOption) ([]*Trigger, error) {
	r := newReader(source, opts)
	if len(data) > r.limits.TenantBytes {
		r.fail("", "%s", limitMsg("is", len(data), limitTenantBytes, r.limits.TenantBytes))
		return nil, r.errs
	}
	raw, ok := r.parseDocument(data)
	if !ok {
		return nil, r.errs
	}
	o := r.object("", raw, "trigger file (an object of trigger key → trigger)")
	if o == nil {
		return nil, r.errs
	}
	var out []*Trigger
	for _, key := range o.keys {
		v, p, _ := o.get(key, false)
		if strings.TrimSpace(key) == "" {
			r.fail("", "trigger key must not be empty")
			continue
		}
		r.checkName(p, key)
		if v == nil {
			r.fail(p, "expected trigger (object), got null")
			continue
		}
		if !r.checkItemBytes(p, len(v)) {
			continue
		}
		if t := r.trigger(p, v); t != nil {
			t.Key = key
			t.source = source
			out = append(out, t)
		}
	}
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseTrigger reads and validates a single trigger object, as stored in a
// database row; the caller sets Key. A trigger over the limits
// (DefaultLimits, or those of WithLimits) is refused.
func ParseTrigger(source string, data []byte, opts ...ParseOption) (*Trigger, error) {
	r := newReader(source, opts)
	raw, ok := r.parseItem(data)
	if !ok {
		return nil, r.errs
	}
	t := r.trigger("", raw)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	t.source = source
	return t, nil
}

func (r *cfgReader) trigger(p string, raw json.RawMessage) *Trigger {
	o := r.object(p, raw, "trigger")
	if o == nil {
		return nil
	}
	t := &Trigger{}
	if name, ok := o.str("name", true); ok {
		t.Name = name
		if strings.TrimSpace(name) == "" {
			r.fail(joinKey(p, "name"), "must not be empty")
		}
	}
	tt, typeOK := o.enum("trigger_type", true, string(TriggerSlack), string(TriggerEmail), string(TriggerWebhook),
		string(TriggerTelegram), string(TriggerDiscord), string(TriggerScript),
		string(TriggerPagerDuty), string(TriggerOpsgenie), string(TriggerDatadog), string(TriggerTeams))
	t.TriggerType = TriggerType(tt)
	// OZ matches config by shape and validates by trigger_type; ozmon reads
	// the config as the declared type, so a mismatch shows up as unknown or
	// missing fields instead of a trigger that silently sends elsewhere.
	if v, cp, ok := o.get("config", true); ok && typeOK {
		if co := r.object(cp, v, string(t.TriggerType)+" trigger config"); co != nil {
			switch t.TriggerType {
			case TriggerSlack:
				t.Slack = r.slackConfig(co)
			case TriggerDiscord:
				t.Discord = r.discordConfig(co)
			case TriggerTelegram:
				t.Telegram = r.telegramConfig(co)
			case TriggerEmail:
				t.Email = r.emailConfig(co)
			case TriggerWebhook:
				t.Webhook = r.webhookConfig(co)
			case TriggerScript:
				t.Script = r.scriptConfig(co)
			case TriggerPagerDuty:
				t.PagerDuty = r.pagerDutyConfig(co)
			case TriggerOpsgenie:
				t.Opsgenie = r.opsgenieConfig(co)
			case TriggerDatadog:
				t.Datadog = r.datadogConfig(co)
			case TriggerTeams:
				t.Teams = r.teamsConfig(co)
			}
			co.finish()
		}
	}
	o.finish()
	return t
}

// message reads {title, body}; when nonBlank, both must have visible text.
func (r *cfgReader) message(o *cfgObject, required, nonBlank bool) (NotificationMessage, bool) {
	var m NotificationMessage
	v, p, ok := o.get("message", required)
	if !ok {
		return m, false
	}
	mo := r.object(p, v, "message")
	if mo == nil {
		return m, false
	}
	title, tok := mo.str("title", true)
	body, bok := mo.str("body", true)
	mo.finish()
	m.Title, m.Body = title, body
	if nonBlank {
		if tok && strings.TrimSpace(title) == "" {
			r.fail(joinKey(p, "title"), "must not be blank")
		}
		if bok && strings.TrimSpace(body) == "" {
			r.fail(joinKey(p, "body"), "must not be blank")
		}
	}
	return m, tok && bok
}

func (r *cfgReader) optRetryPolicy(o *cfgObject) RetryPolicy {
	if v, p, ok := o.get("retry_policy", false); ok {
		return r.retryPolicy(p, v)
	}
	return DefaultRetryPolicy()
}

// checkURLPrefix validates a Plain secret URL; other kinds are checked when
// resolved, since their value is unknown here. The URL is never echoed: it
// often embeds a token.
func (r *cfgReader) checkURLPrefix(o *cfgObject, key string, s SecretValue, what string, prefixes ...string) {
	v, ok := s.plain()
	if !ok {
		return
	}
	if !hasAnyPrefix(v, prefixes...) {
		r.fail(joinKey(o.path, key), "%s must start with %s", what, strings.Join(prefixes, " or "))
	}
	if hasControl(v) {
		r.fail(joinKey(o.path, key), "%s must not contain control characters (CR, LF, tab, NUL, …)", what)
	}
}

func (r *cfgReader) slackConfig(o *cfgObject) *SlackConfig {
	c := &SlackConfig{}
	if s, ok := o.secret("slack_url", true); ok {
		c.SlackURL = s
		r.checkURLPrefix(o, "slack_url", s, "Slack webhook URL", "https://hooks.slack.com/")
	}
	c.Message, _ = r.message(o, true, true)
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}

func (r *cfgReader) discordConfig(o *cfgObject) *DiscordConfig {
	c := &DiscordConfig{}
	if s, ok := o.secret("discord_url", true); ok {
		c.DiscordURL = s
		r.checkURLPrefix(o, "discord_url", s, "Discord webhook URL", "https://discord.com/api/webhooks/")
	}
	var ok bool
	if c.Message, ok = r.message(o, true, true); ok && len(c.Message.Body) > 2000 {
		r.fail(joinKey(o.path, "message.body"), "is %d bytes; Discord allows at most 2000", len(c.Message.Body))
	}
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}

func (r *cfgReader) telegramConfig(o *cfgObject) *TelegramConfig {
	c := &TelegramConfig{}
	if s, ok := o.secret("token", true); ok {
		c.Token = s
		if v, plain := s.plain(); plain && strings.TrimSpace(v) == "" {
			r.fail(joinKey(o.path, "token"), "bot token must not be blank")
		}
	}
	if id, ok := o.str("chat_id", true); ok {
		c.ChatID = id
		if strings.TrimSpace(id) == "" {
			r.fail(joinKey(o.path, "chat_id"), "must not be blank")
		}
	}
	c.DisableWebPreview, _ = o.boolean("disable_web_preview", false)
	var ok bool
	if c.Message, ok = r.message(o, true, true); ok && len(c.Message.Body) > 4096 {
		r.fail(joinKey(o.path, "message.body"), "is %d bytes; Telegram allows at most 4096", len(c.Message.Body))
	}
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}

// validSMTPHost is what OZ accepts as an SMTP host name: letters, digits,
// dots and hyphens, with at least one dot.
func validSMTPHost(h string) bool {
	if !strings.Contains(h, ".") {
		return false
	}
	for _, c := range h {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func (r *cfgReader) emailConfig(o *cfgObject) *EmailConfig {
	c := &EmailConfig{Port: 465}
	if h, ok := o.str("host", true); ok {
		c.Host = h
		if !validSMTPHost(h) {
			r.fail(joinKey(o.path, "host"), "%q is not a valid host name (letters, digits, dots and hyphens, with at least one dot)", h)
		}
	}
	if p, ok := o.uint("port", false, math.MaxUint16); ok {
		c.Port = uint16(p)
	}
	if s, ok := o.secret("username", true); ok {
		c.Username = s
		if v, plain := s.plain(); plain && (v == "" || strings.IndexFunc(v, unicode.IsControl) >= 0) {
			r.fail(joinKey(o.path, "username"), "must not be empty or contain control characters")
		}
	}
	if s, ok := o.secret("password", true); ok {
		c.Password = s
		if v, plain := s.plain(); plain && strings.TrimSpace(v) == "" {
			r.fail(joinKey(o.path, "password"), "must not be blank")
		}
	}
	var ok bool
	// OpenZeppelin Monitor refuses an email without a subject or a body.
	if c.Message, ok = r.message(o, true, true); ok {
		mp := joinKey(o.path, "message")
		if len(c.Message.Title) > 998 {
			r.fail(joinKey(mp, "title"), "is %d bytes; an email subject allows at most 998", len(c.Message.Title))
		}
		if strings.IndexFunc(c.Message.Title, func(c rune) bool { return unicode.IsControl(c) && !unicode.IsSpace(c) }) >= 0 {
			r.fail(joinKey(mp, "title"), "must not contain control characters")
		}
		if strings.IndexFunc(c.Message.Body, func(c rune) bool {
			return unicode.IsControl(c) && c != '\r' && c != '\n' && c != '\t'
		}) >= 0 {
			r.fail(joinKey(mp, "body"), "must not contain control characters other than tab, CR and LF")
		}
	}
	if s, ok := o.str("sender", true); ok {
		c.Sender = s
		r.checkEmail(joinKey(o.path, "sender"), s)
	}
	if rs, ok := o.strs("recipients", true); ok {
		c.Recipients = rs
		rp := joinKey(o.path, "recipients")
		if len(rs) == 0 {
			r.fail(rp, "must list at least one recipient")
		}
		for i, a := range rs {
			r.checkEmail(joinIndex(rp, i), a)
		}
	}
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}

func (r *cfgReader) checkEmail(p, addr string) {
	if _, err := mail.ParseAddress(addr); err != nil {
		r.fail(p, "%q is not a valid email address", addr)
	}
}

func (r *cfgReader) webhookConfig(o *cfgObject) *WebhookConfig {
	c := &WebhookConfig{Method: "POST", PayloadMode: PayloadTemplate}
	if s, ok := o.secret("url", true); ok {
		c.URL = s
		r.checkURLPrefix(o, "url", s, "webhook URL", "http://", "https://")
	}
	if m, ok := o.str("method", false); ok {
		up := strings.ToUpper(m)
		switch up {
		case "GET", "POST", "PUT", "DELETE":
			c.Method = up
		default:
			r.fail(joinKey(o.path, "method"), "invalid HTTP method %q (expected GET, POST, PUT or DELETE)", m)
		}
	}
	if s, ok := o.secret("secret", false); ok {
		c.Secret = &s
	}
	if v, hp, ok := o.get("headers", false); ok {
		if ho := r.object(hp, v, "headers (object of strings)"); ho != nil && r.checkListItems(hp, len(ho.keys)) {
			c.Headers = make(map[string]string, len(ho.keys))
			for _, k := range ho.keys {
				if !validHeaderName(k) {
					r.fail(hp, "header name %q is not an HTTP field name (letters, digits and !#$%%&'*+-.^_`|~ only)", k)
				}
				if s, ok := ho.str(k, false); ok {
					if !validHeaderValue(s) {
						// Not echoed: a header often carries a token.
						r.fail(joinKey(hp, k), "header value must not contain control characters other than tab (CR, LF, NUL, …)")
					}
					c.Headers[k] = s
				}
			}
		}
	}
	modeOK := true
	if o.has("payload_mode") {
		var pm string
		pm, modeOK = o.enum("payload_mode", false, string(PayloadTemplate), string(PayloadRaw))
		c.PayloadMode = PayloadMode(pm)
	} else {
		o.get("payload_mode", false) // known, absent: template
	}
	// Only the template mode renders a message, so only it needs one. With
	// an invalid mode that is unknown, so nothing more is reported.
	template := modeOK && c.PayloadMode == PayloadTemplate
	if o.has("message") {
		if m, ok := r.message(o, false, template); ok {
			c.Message = &m
		}
	} else {
		o.get("message", false)
		if template {
			r.fail(o.path, `missing required field "message" (required when payload_mode is "template")`)
		}
	}
	c.RetryPolicy = r.optRetryPolicy(o)
	r.webhookSigning(o, c)
	return c
}

// webhookSigning reads ozmon's "signing" extension. It is read after the OZ
// fields so that an unknown-field message lists OZ's own fields first.
func (r *cfgReader) webhookSigning(o *cfgObject, c *WebhookConfig) {
	if !o.has("signing") {
		o.get("signing", false) // known, absent: oz
		return
	}
	s, ok := o.enum("signing", false, string(SigningOZ), string(SigningStandardWebhooks))
	if !ok {
		return
	}
	c.Signing = WebhookSigning(s)
	if c.Signing != SigningStandardWebhooks {
		return
	}
	// Unsigned Standard Webhooks do not exist: the signature covers the id
	// and timestamp, which is what makes them worth trusting.
	if c.Secret == nil {
		if !o.has("secret") { // a secret that is present but invalid is already reported
			r.fail(o.path, `missing required field "secret" (required when signing is "standard_webhooks")`)
		}
		return
	}
	// A whsec_ secret is base64 after the prefix (notify decodes it the same
	// way); catch a mangled one at validation rather than at the first send.
	// Only plain values are known here. The value is never echoed.
	if v, plain := c.Secret.plain(); plain {
		if rest, whsec := strings.CutPrefix(v, "whsec_"); whsec {
			if key, err := base64.StdEncoding.DecodeString(rest); err != nil || len(key) == 0 {
				r.fail(joinKey(o.path, "secret"), `a "whsec_" secret must continue with a non-empty standard base64 key`)
			}
		} else if v == "" {
			r.fail(joinKey(o.path, "secret"), `must not be empty when signing is "standard_webhooks"`)
		}
	}
}

func (r *cfgReader) scriptConfig(o *cfgObject) *ScriptConfig {
	c := &ScriptConfig{}
	c.ScriptPath, c.Language, c.Arguments, c.TimeoutMs = r.script(o.path, o)
	return c
}
