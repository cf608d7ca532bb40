package ozconfig

// PagerDutyConfig sends PagerDuty Events API v2 events: a trigger per
// notification, its dedup_key the notification's id, so a retry or a
// replay lands on the incident the first attempt opened; with
// AutoResolveAfter, a resolve for that key once the monitor has been quiet
// that long.
type PagerDutyConfig struct {
	RoutingKey SecretValue `json:"routing_key"`
	// Severity is critical, error, warning or info, or a template that
	// renders to one of them; empty (and a template rendering to anything
	// else) means critical.
	Severity string `json:"severity,omitempty"`
	// Source, Component, Group and Class are templates for the event's
	// fields of those names; Source defaults to "ozmon".
	Source    string `json:"source,omitempty"`
	Component string `json:"component,omitempty"`
	Group     string `json:"group,omitempty"`
	Class     string `json:"class,omitempty"`
	// Links are added to the event (an explorer URL of the transaction).
	Links []Link `json:"links,omitempty"`
	// RedactDetails replaces the match's argument values in custom_details
	// with "[REDACTED]" (their keys, the monitor and the transaction stay).
	RedactDetails bool `json:"redact_details,omitempty"`
	// Message: the title is the summary (cut to 1024 bytes), the body goes
	// into custom_details.body.
	Message          NotificationMessage `json:"message"`
	AutoResolveAfter Duration            `json:"auto_resolve_after,omitzero"`
	RetryPolicy      RetryPolicy         `json:"retry_policy"`
}

// pagerDutySeverities are the values of the severity field.
var pagerDutySeverities = []string{"critical", "error", "warning", "info"}

func (r *cfgReader) pagerDutyConfig(o *cfgObject) *PagerDutyConfig {
	c := &PagerDutyConfig{}
	if s, ok := o.secret("routing_key", true); ok {
		c.RoutingKey = s
		r.checkSecretNotBlank(o, "routing_key", s, "routing key")
	}
	c.Severity = r.templateOrEnum(o, "severity", pagerDutySeverities...)
	c.Source = r.optTemplate(o, "source", 1024)
	c.Component = r.optTemplate(o, "component", 1024)
	c.Group = r.optTemplate(o, "group", 1024)
	c.Class = r.optTemplate(o, "class", 1024)
	c.Links = r.links(o)
	c.RedactDetails, _ = o.boolean("redact_details", false)
	var ok bool
	if c.Message, ok = r.message(o, true, true); ok && len(c.Message.Title) > 1024 {
		r.fail(joinKey(o.path, "message.title"), "is %d bytes; a PagerDuty summary allows at most 1024", len(c.Message.Title))
	}
	c.AutoResolveAfter = r.autoResolveAfter(o)
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}
