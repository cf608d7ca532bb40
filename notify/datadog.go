package notify

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// datadogChannel posts Datadog events through the v1 intake (POST /api/v1/events, header
// DD-API-KEY). v1 rather than v2: v2's events are "alert" and "change" records with
// required integration-specific attributes, while v1 takes a titled, tagged, aggregatable
// event — what a match is — and is the intake Datadog documents for custom events. Every
// event is tagged tenant:, monitor: and network:; its aggregation_key defaults to the
// notification's ID, so a resent notification rolls up with its first copy.
type datadogChannel struct {
	endpoint string
	key      string
	cfg      *ozconfig.DatadogConfig
	post     *poster
}

// Datadog's documented limits (bytes).
const (
	datadogMaxTitle = 100
	datadogMaxText  = 4000
	datadogMaxAggr  = 100
)

func newDatadog(trigger, apiKey string, cfg *ozconfig.DatadogConfig, opts ...Option) (*datadogChannel, error) {
	if strings.TrimSpace(apiKey) == "" || strings.ContainsAny(apiKey, "\r\n") {
		return nil, fmt.Errorf("notify: datadog trigger %q: API key is empty or spans lines", trigger)
	}
	o := newOptions(opts)
	base := o.datadogBase
	if base == "" {
		site := cfg.Site
		if site == "" {
			site = "datadoghq.com"
		}
		base = "https://api." + site
	}
	return &datadogChannel{endpoint: strings.TrimRight(base, "/") + "/api/v1/events", key: apiKey, cfg: cfg, post: newPoster("datadog", trigger, o, apiKey)}, nil
}

type datadogEvent struct {
	Title          string   `json:"title"`
	Text           string   `json:"text"`
	AlertType      string   `json:"alert_type"`
	AggregationKey string   `json:"aggregation_key,omitempty"`
	Tags           []string `json:"tags"`
	SourceTypeName string   `json:"source_type_name,omitempty"`
	DateHappened   int64    `json:"date_happened,omitempty"`
	Priority       string   `json:"priority"`
}

func (d *datadogChannel) event(n Notification) datadogEvent {
	c, vars := d.cfg, n.Vars
	title, body := messageTemplate{c.Message.Title, c.Message.Body}.Render(vars)
	e := datadogEvent{
		Title:          cutBytes(title, datadogMaxTitle),
		Text:           cutBytes(body, datadogMaxText),
		AlertType:      c.AlertType,
		AggregationKey: cutBytes(renderOr(c.AggregationKey, n.ID, vars), datadogMaxAggr),
		SourceTypeName: render(c.SourceTypeName, vars),
		Priority:       c.Priority,
	}
	if e.AlertType == "" {
		e.AlertType = "error"
	}
	if e.Priority == "" {
		e.Priority = "normal"
	}
	if !n.MatchedAt.IsZero() {
		e.DateHappened = n.MatchedAt.Unix()
	}
	e.Tags = append(e.Tags, "tenant:"+n.TenantID)
	if n.Monitor != "" {
		e.Tags = append(e.Tags, "monitor:"+n.Monitor)
	}
	if n.Network != "" {
		e.Tags = append(e.Tags, "network:"+n.Network)
	}
	for _, t := range c.Tags {
		if v := cutBytes(strings.TrimSpace(render(t, vars)), 200); v != "" {
			e.Tags = append(e.Tags, v)
		}
	}
	return e
}

// Send posts one event.
func (d *datadogChannel) Send(ctx context.Context, n Notification) error {
	payload, err := ozconfig.MarshalNoEscape(d.event(n))
	if err != nil {
		se := d.post.fail(n.TenantID)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	h := jsonHeader()
	h.Set("DD-API-KEY", d.key)
	return d.post.do(ctx, n.TenantID, http.MethodPost, d.endpoint, h, payload)
}
