package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// opsgenieChannel creates Opsgenie alerts (POST /v2/alerts, Authorization: GenieKey …). Every
// alert's alias is the notification's ID, so while the alert is open a retry or a replay is
// counted on it rather than opening another; Resolve closes the alert by that alias.
type opsgenieChannel struct {
	base string
	key  string
	cfg  *ozconfig.OpsgenieConfig
	post *poster
}

var opsgeniePriorities = []string{"P1", "P2", "P3", "P4", "P5"}

// Opsgenie's documented field limits (characters).
const (
	opsgenieMaxMessage     = 130
	opsgenieMaxDescription = 15000
	opsgenieMaxAlias       = 512
)

func opsgenieRegionBase(r ozconfig.OpsgenieRegion) string {
	if r == ozconfig.OpsgenieEU {
		return "https://api.eu.opsgenie.com"
	}
	return "https://api.opsgenie.com"
}

func newOpsgenie(trigger, apiKey string, cfg *ozconfig.OpsgenieConfig, opts ...Option) (*opsgenieChannel, error) {
	if strings.TrimSpace(apiKey) == "" || strings.ContainsAny(apiKey, "\r\n") {
		return nil, fmt.Errorf("notify: opsgenie trigger %q: API key is empty or spans lines", trigger)
	}
	o := newOptions(opts)
	base := o.opsgenieBase
	if base == "" {
		base = opsgenieRegionBase(cfg.Region)
	}
	return &opsgenieChannel{base: strings.TrimRight(base, "/"), key: apiKey, cfg: cfg, post: newPoster("opsgenie", trigger, o, apiKey)}, nil
}

type opsgenieAlert struct {
	Message     string                       `json:"message"`
	Alias       string                       `json:"alias"`
	Description string                       `json:"description,omitempty"`
	Responders  []ozconfig.OpsgenieResponder `json:"responders,omitempty"`
	Tags        []string                     `json:"tags,omitempty"`
	Details     map[string]string            `json:"details,omitempty"`
	Entity      string                       `json:"entity,omitempty"`
	Source      string                       `json:"source,omitempty"`
	Priority    string                       `json:"priority"`
}

func (c *opsgenieChannel) header() http.Header {
	h := jsonHeader()
	h.Set("Authorization", "GenieKey "+c.key)
	return h
}

func (c *opsgenieChannel) alert(n Notification) opsgenieAlert {
	cfg, vars := c.cfg, n.Vars
	title, body := messageTemplate{cfg.Message.Title, cfg.Message.Body}.Render(vars)
	details := matchDetails(vars, cfg.RedactDetails)
	details["monitor"], details["network"], details["notification_id"] = n.Monitor, n.Network, n.ID
	if !n.MatchedAt.IsZero() {
		details["matched_at"] = n.MatchedAt.UTC().Format(time.RFC3339)
	}
	a := opsgenieAlert{
		Message:     cutRunes(title, opsgenieMaxMessage),
		Alias:       n.ID,
		Description: cutRunes(body, opsgenieMaxDescription),
		Responders:  cfg.Responders,
		Details:     details,
		Entity:      cutRunes(render(cfg.Entity, vars), 512),
		Source:      cutRunes(renderOr(cfg.Source, "ozmon", vars), 100),
		Priority:    renderEnum(cfg.Priority, "P1", vars, opsgeniePriorities...),
	}
	for _, t := range cfg.Tags {
		if v := cutRunes(strings.TrimSpace(render(t, vars)), 50); v != "" {
			a.Tags = append(a.Tags, v)
		}
	}
	return a
}

// Send creates one alert.
func (c *opsgenieChannel) Send(ctx context.Context, n Notification) error {
	if err := c.needID(n); err != nil {
		return err
	}
	payload, err := ozconfig.MarshalNoEscape(c.alert(n))
	if err != nil {
		se := c.post.fail(n.TenantID)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	return c.post.do(ctx, n.TenantID, http.MethodPost, c.base+"/v2/alerts", c.header(), payload)
}

// Resolve closes the alert Send created for n (POST /v2/alerts/{alias}/close).
func (c *opsgenieChannel) Resolve(ctx context.Context, n Notification) error {
	if err := c.needID(n); err != nil {
		return err
	}
	note := "Closed by ozmon: no further match"
	if n.Monitor != "" {
		note += " of monitor " + n.Monitor
	}
	payload, err := ozconfig.MarshalNoEscape(struct {
		Source string `json:"source"`
		Note   string `json:"note"`
	}{"ozmon", cutRunes(note, 25000)})
	if err != nil {
		se := c.post.fail(n.TenantID)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	target := c.base + "/v2/alerts/" + url.PathEscape(n.ID) + "/close?identifierType=alias"
	return c.post.do(ctx, n.TenantID, http.MethodPost, target, c.header(), payload)
}

// needID refuses to send without a usable alias: without one a retry opens a second alert.
func (c *opsgenieChannel) needID(n Notification) error {
	err := checkID(n.ID)
	switch {
	case n.ID == "":
		err = fmt.Errorf("the notification ID, the alias, is empty")
	case len(n.ID) > opsgenieMaxAlias:
		err = fmt.Errorf("the notification ID is longer than Opsgenie's %d-character alias", opsgenieMaxAlias)
	}
	if err == nil {
		return nil
	}
	se := c.post.fail(n.TenantID)
	se.Detail, se.Err = "alias", err
	return se
}
