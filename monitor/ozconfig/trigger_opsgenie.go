package ozconfig

import "strings"

// OpsgenieRegion picks the Opsgenie API a trigger talks to.
type OpsgenieRegion string

// The regions: api.opsgenie.com and api.eu.opsgenie.com.
const (
	OpsgenieUS OpsgenieRegion = "us"
	OpsgenieEU OpsgenieRegion = "eu"
)

// OpsgenieResponder is one responder of an alert: Type is team, user,
// escalation or schedule, and exactly one of ID, Name (team, escalation,
// schedule) or Username (user) names it.
type OpsgenieResponder struct {
	Type     string `json:"type"`
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// OpsgenieConfig creates Opsgenie alerts: one per notification, its alias
// the notification's id, so a retry or a replay while the alert is open
// adds to it instead of opening another; with AutoResolveAfter, the alert
// is closed by that alias once the monitor has been quiet that long.
type OpsgenieConfig struct {
	APIKey SecretValue    `json:"api_key"`
	Region OpsgenieRegion `json:"region,omitempty"` // us (default) or eu
	// Priority is P1 … P5 or a template rendering to one; empty (and a
	// template rendering to anything else) means P1.
	Priority   string              `json:"priority,omitempty"`
	Responders []OpsgenieResponder `json:"responders,omitempty"`
	// Tags, Entity and Source are templates; Source defaults to "ozmon".
	Tags          []string `json:"tags,omitempty"`
	Entity        string   `json:"entity,omitempty"`
	Source        string   `json:"source,omitempty"`
	RedactDetails bool     `json:"redact_details,omitempty"`
	// Message: the title is the alert's message (cut to 130 characters),
	// the body its description (cut to 15000).
	Message          NotificationMessage `json:"message"`
	AutoResolveAfter Duration            `json:"auto_resolve_after,omitzero"`
	RetryPolicy      RetryPolicy         `json:"retry_policy"`
}

var opsgeniePriorities = []string{"P1", "P2", "P3", "P4", "P5"}

// Opsgenie's documented limits.
const (
	opsgenieMaxTag     = 50
	opsgenieMaxTags    = 20
	opsgenieMaxEntity  = 512
	opsgenieMaxSource  = 100
	opsgenieResponders = 50
)

func (r *cfgReader) opsgenieConfig(o *cfgObject) *OpsgenieConfig {
	c := &OpsgenieConfig{}
	if s, ok := o.secret("api_key", true); ok {
		c.APIKey = s
		r.checkSecretNotBlank(o, "api_key", s, "API key")
	}
	if reg, ok := o.enum("region", false, string(OpsgenieUS), string(OpsgenieEU)); ok {
		c.Region = OpsgenieRegion(reg)
	}
	c.Priority = r.templateOrEnum(o, "priority", opsgeniePriorities...)
	c.Responders = r.opsgenieResponders(o)
	if c.Tags = r.templates(o, "tags", opsgenieMaxTag); len(c.Tags) > opsgenieMaxTags {
		r.fail(joinKey(o.path, "tags"), "has %d tags; Opsgenie allows at most %d", len(c.Tags), opsgenieMaxTags)
	}
	c.Entity = r.optTemplate(o, "entity", opsgenieMaxEntity)
	c.Source = r.optTemplate(o, "source", opsgenieMaxSource)
	c.RedactDetails, _ = o.boolean("redact_details", false)
	c.Message, _ = r.message(o, true, true)
	c.AutoResolveAfter = r.autoResolveAfter(o)
	c.RetryPolicy = r.optRetryPolicy(o)
	return c
}

func (r *cfgReader) opsgenieResponders(o *cfgObject) []OpsgenieResponder {
	v, p, ok := o.get("responders", false)
	if !ok {
		return nil
	}
	items, ok := r.array(p, v, "array of responders")
	if !ok {
		return nil
	}
	if len(items) > opsgenieResponders {
		r.fail(p, "has %d responders; Opsgenie allows at most %d", len(items), opsgenieResponders)
		return nil
	}
	out := make([]OpsgenieResponder, 0, len(items))
	for i, it := range items {
		rp := joinIndex(p, i)
		ro := r.object(rp, it, "responder")
		if ro == nil {
			continue
		}
		var x OpsgenieResponder
		x.Type, _ = ro.enum("type", true, "team", "user", "escalation", "schedule")
		x.ID, _ = ro.str("id", false)
		x.Name, _ = ro.str("name", false)
		x.Username, _ = ro.str("username", false)
		ro.finish()
		named := 0
		for _, s := range []string{x.ID, x.Name, x.Username} {
			if strings.TrimSpace(s) != "" {
				named++
			}
		}
		switch {
		case named != 1:
			r.fail(rp, `needs exactly one of "id", "name" or "username", got %d`, named)
		case x.Type == "user" && x.Name != "":
			r.fail(joinKey(rp, "name"), `a user responder is named by "id" or "username"`)
		case x.Type != "user" && x.Type != "" && x.Username != "":
			r.fail(joinKey(rp, "username"), `only a user responder has a "username"; a %s is named by "id" or "name"`, x.Type)
		}
		out = append(out, x)
	}
	return out
}
