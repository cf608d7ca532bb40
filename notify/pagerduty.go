package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// pagerDutyChannel sends PagerDuty Events API v2 events (POST /v2/enqueue). Every event's
// dedup_key is the notification's ID, the same on every attempt, after a crash, a replay or
// a re-driven ledger, so PagerDuty folds a second trigger into the incident the first one
// opened; Resolve sends the resolve event for that key. Auth is the routing key in the body.
type pagerDutyChannel struct {
	endpoint string
	key      string
	cfg      *ozconfig.PagerDutyConfig
	post     *poster
}

var pagerDutySeverities = []string{"critical", "error", "warning", "info"}

// pagerDutyMaxSummary is PagerDuty's limit on payload.summary.
const pagerDutyMaxSummary = 1024

func newPagerDuty(trigger, routingKey string, cfg *ozconfig.PagerDutyConfig, opts ...Option) (*pagerDutyChannel, error) {
	if strings.TrimSpace(routingKey) == "" {
		return nil, fmt.Errorf("notify: pagerduty trigger %q: routing key is empty", trigger)
	}
	o := newOptions(opts)
	endpoint := strings.TrimRight(o.pagerDutyBase, "/") + "/v2/enqueue"
	return &pagerDutyChannel{endpoint: endpoint, key: routingKey, cfg: cfg, post: newPoster("pagerduty", trigger, o, routingKey)}, nil
}

type pagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

type pagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

type pagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *pagerDutyPayload `json:"payload,omitempty"`
	Links       []pagerDutyLink   `json:"links,omitempty"`
	Client      string            `json:"client,omitempty"`
}

// Event returns the trigger event Send posts for n.
func (p *pagerDutyChannel) event(n Notification) pagerDutyEvent {
	c, vars := p.cfg, n.Vars
	title, body := messageTemplate{c.Message.Title, c.Message.Body}.Render(vars)
	pl := &pagerDutyPayload{
		Summary:   cutBytes(title, pagerDutyMaxSummary),
		Source:    cutBytes(renderOr(c.Source, "ozmon", vars), 1024),
		Severity:  renderEnum(c.Severity, "critical", vars, pagerDutySeverities...),
		Component: render(c.Component, vars),
		Group:     render(c.Group, vars),
		Class:     render(c.Class, vars),
		CustomDetails: map[string]any{
			"body":            body,
			"monitor":         n.Monitor,
			"network":         n.Network,
			"notification_id": n.ID,
			"match":           matchDetails(vars, c.RedactDetails),
		},
	}
	if pl.Source == "" {
		pl.Source = "ozmon" // PagerDuty refuses an empty source
	}
	if !n.MatchedAt.IsZero() {
		pl.Timestamp = n.MatchedAt.UTC().Format(time.RFC3339)
	}
	ev := pagerDutyEvent{RoutingKey: p.key, EventAction: "trigger", DedupKey: n.ID, Payload: pl, Client: "ozmon"}
	for _, l := range c.Links {
		href := render(l.Href, vars)
		if lh := strings.ToLower(href); !strings.HasPrefix(lh, "https://") && !strings.HasPrefix(lh, "http://") {
			continue // a template that rendered into something else is no link
		}
		ev.Links = append(ev.Links, pagerDutyLink{Href: href, Text: render(l.Text, vars)})
	}
	return ev
}

// Send posts one trigger event.
func (p *pagerDutyChannel) Send(ctx context.Context, n Notification) error {
	if err := p.needID(n); err != nil {
		return err
	}
	return p.post.postJSON(ctx, n.TenantID, p.endpoint, p.event(n))
}

// Resolve posts the resolve event for the incident Send opened for n.
func (p *pagerDutyChannel) Resolve(ctx context.Context, n Notification) error {
	if err := p.needID(n); err != nil {
		return err
	}
	return p.post.postJSON(ctx, n.TenantID, p.endpoint, pagerDutyEvent{RoutingKey: p.key, EventAction: "resolve", DedupKey: n.ID})
}

// needID refuses to send without a usable ID: PagerDuty would make up a dedup_key, and a
// retry would then open a second incident.
func (p *pagerDutyChannel) needID(n Notification) error {
	err := checkID(n.ID)
	if n.ID == "" {
		err = fmt.Errorf("the notification ID, the dedup_key, is empty")
	}
	if err == nil {
		return nil
	}
	se := p.post.fail(n.TenantID)
	se.Detail, se.Err = "dedup key", err
	return se
}
