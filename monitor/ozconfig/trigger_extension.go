package ozconfig

import (
	"encoding/json"
	"strings"
	"time"
)

// The trigger types ozmon adds to OpenZeppelin Monitor's six. OZ refuses a
// file that uses them (unknown trigger_type), so they are listed as ozmon
// extensions in docs/compatibility.md.
const (
	TriggerPagerDuty TriggerType = "pagerduty" // PagerDuty Events API v2
	TriggerOpsgenie  TriggerType = "opsgenie"  // Opsgenie Alert API
	TriggerDatadog   TriggerType = "datadog"   // Datadog Events API (v1 intake)
	TriggerTeams     TriggerType = "teams"     // Microsoft Teams Workflows webhook (Adaptive Card)
)

// IsExtension reports whether tt is one of ozmon's own trigger types,
// which OpenZeppelin Monitor cannot load (it refuses an unknown
// trigger_type): a configuration that uses one no longer moves back to OZ.
func (tt TriggerType) IsExtension() bool {
	switch tt {
	case TriggerPagerDuty, TriggerOpsgenie, TriggerDatadog, TriggerTeams:
		return true
	}
	return false
}

// Duration is a span of time written as OZ writes durations: {"secs",
// "nanos"} (or, as an ozmon extension, a number of milliseconds).
type Duration time.Duration

// D is d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the {"secs", "nanos"} form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(toSerde(time.Duration(d))) }

// Bounds of auto_resolve_after: a second is enough for tests and
// impatient teams; past seven days the deliver task that armed the timer
// is no longer retained, and an incident that old is resolved by people.
const (
	minAutoResolve = time.Second
	maxAutoResolve = 7 * 24 * time.Hour
)

// autoResolveAfter reads the optional auto_resolve_after of an incident
// channel.
func (r *cfgReader) autoResolveAfter(o *cfgObject) Duration {
	v, p, ok := o.get("auto_resolve_after", false)
	if !ok {
		return 0
	}
	d, ok := r.duration(p, v)
	if !ok {
		return 0
	}
	if d < minAutoResolve || d > maxAutoResolve {
		r.fail(p, "is %s; it must be between %s and %s", d, minAutoResolve, maxAutoResolve)
		return 0
	}
	return Duration(d)
}

// noAutoResolve refuses auto_resolve_after on a channel that has nothing
// to resolve, with the reason instead of a bare "unknown field".
func (r *cfgReader) noAutoResolve(o *cfgObject, why string) {
	if _, p, ok := o.get("auto_resolve_after", false); ok {
		r.fail(p, "is not supported: %s; only pagerduty and opsgenie triggers can resolve what they opened", why)
	}
}

// templateOrEnum reads an optional field that is either one of values or a
// ${...} template rendered at send time (checked then, with a fallback).
func (r *cfgReader) templateOrEnum(o *cfgObject, key string, values ...string) string {
	s, ok := o.str(key, false)
	if !ok {
		return ""
	}
	if strings.Contains(s, "${") {
		if hasControl(s) {
			r.fail(joinKey(o.path, key), "must not contain control characters")
		}
		return s
	}
	if !r.checkEnum(joinKey(o.path, key), s, values...) {
		return ""
	}
	return s
}

// optTemplate reads an optional one-line template of at most max bytes.
func (r *cfgReader) optTemplate(o *cfgObject, key string, max int) string {
	s, ok := o.str(key, false)
	if !ok {
		return ""
	}
	p := joinKey(o.path, key)
	if hasControl(s) {
		r.fail(p, "must not contain control characters (CR, LF, tab, NUL, …)")
	}
	if len(s) > max {
		r.fail(p, "is %d bytes; at most %d", len(s), max)
	}
	return s
}

// templates reads an optional array of one-line templates (tags), each of
// at most max bytes.
func (r *cfgReader) templates(o *cfgObject, key string, max int) []string {
	ss, ok := o.strs(key, false)
	if !ok {
		return nil
	}
	p := joinKey(o.path, key)
	for i, s := range ss {
		switch {
		case strings.TrimSpace(s) == "":
			r.fail(joinIndex(p, i), "must not be blank")
		case hasControl(s):
			r.fail(joinIndex(p, i), "must not contain control characters")
		case len(s) > max:
			r.fail(joinIndex(p, i), "is %d bytes; at most %d", len(s), max)
		}
	}
	return ss
}

// checkSecretNotBlank refuses a plain secret that is blank or would not
// survive an HTTP header; other kinds are checked when resolved. The
// value is never echoed.
func (r *cfgReader) checkSecretNotBlank(o *cfgObject, key string, s SecretValue, what string) {
	v, plain := s.plain()
	if !plain {
		return
	}
	p := joinKey(o.path, key)
	if strings.TrimSpace(v) == "" {
		r.fail(p, "%s must not be blank", what)
	} else if hasControl(v) || strings.ContainsAny(v, " ") {
		r.fail(p, "%s must not contain spaces or control characters", what)
	}
}

// Link is a link an incident carries (PagerDuty links): Href and Text are
// templates; Href renders to an http(s) URL, e.g. the transaction on an
// explorer.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// maxLinks bounds a trigger's links; PagerDuty shows a handful.
const maxLinks = 10

func (r *cfgReader) links(o *cfgObject) []Link {
	v, p, ok := o.get("links", false)
	if !ok {
		return nil
	}
	items, ok := r.array(p, v, "array of links")
	if !ok {
		return nil
	}
	if len(items) > maxLinks {
		r.fail(p, "has %d links; at most %d", len(items), maxLinks)
		return nil
	}
	out := make([]Link, 0, len(items))
	for i, it := range items {
		lp := joinIndex(p, i)
		lo := r.object(lp, it, "link")
		if lo == nil {
			continue
		}
		var l Link
		if h, ok := lo.str("href", true); ok {
			l.Href = h
			if !hasAnyPrefix(h, "https://", "http://", "${") {
				r.fail(joinKey(lp, "href"), "must start with https:// or http:// (a template such as https://stellar.expert/explorer/public/tx/${transaction.hash})")
			}
			if hasControl(h) {
				r.fail(joinKey(lp, "href"), "must not contain control characters")
			}
		}
		l.Text = r.optTemplate(lo, "text", 1024)
		lo.finish()
		out = append(out, l)
	}
	return out
}
