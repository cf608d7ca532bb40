package notify

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The fakes below play PagerDuty, Opsgenie, Datadog and Microsoft Teams on 127.0.0.1: each
// checks the documented request shape, headers and authentication, answers as the vendor
// does (success, throttling, errors), and keeps what a person would see (incidents, alerts,
// events, cards).

// forced is a queued answer a fake gives instead of processing the next request.
type forced struct {
	status int
	header map[string]string
	body   string
}

// vendorFake is what every fake shares: the queue of forced answers and the raw requests.
type vendorFake struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	queue  []forced
	bodies [][]byte
	heads  []http.Header
	paths  []string
}

func (f *vendorFake) URL() string { return f.srv.URL }

// answerNext makes the next request(s) get these answers, in order.
func (f *vendorFake) answerNext(a ...forced) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, a...)
}

// take records r and returns its body and a forced answer, if one is queued.
func (f *vendorFake) take(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, body)
	f.heads = append(f.heads, r.Header.Clone())
	f.paths = append(f.paths, r.URL.RequestURI())
	if len(f.queue) == 0 {
		return body, false
	}
	a := f.queue[0]
	f.queue = f.queue[1:]
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
	return body, true
}

func (f *vendorFake) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func (f *vendorFake) lastBody() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[len(f.bodies)-1]
}

func (f *vendorFake) last() (path string, h http.Header, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.bodies) - 1
	return f.paths[n], f.heads[n], f.bodies[n]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// pagerDutyFake is the Events API v2: POST /v2/enqueue; the routing key in the body.
type pagerDutyFake struct {
	vendorFake
	routingKey string
	opened     int             // incidents opened
	open       map[string]bool // dedup_key → open
	triggers   map[string]int  // dedup_key → trigger events folded into it
}

func startPagerDuty(t testing.TB, routingKey string) *pagerDutyFake {
	f := &pagerDutyFake{vendorFake: vendorFake{t: t}, routingKey: routingKey, open: map[string]bool{}, triggers: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *pagerDutyFake) invalid(w http.ResponseWriter, errs ...string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": errs})
}

func (f *pagerDutyFake) serve(w http.ResponseWriter, r *http.Request) {
	body, done := f.take(w, r)
	if done {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" {
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.invalid(w, "Content-Type must be application/json, got "+ct)
		return
	}
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary  string `json:"summary"`
			Source   string `json:"source"`
			Severity string `json:"severity"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		f.invalid(w, "body is not JSON")
		return
	}
	if ev.RoutingKey != f.routingKey {
		// PagerDuty quotes what it was sent; the channel must mask it.
		f.invalid(w, "routing_key "+ev.RoutingKey+" is not a valid integration key")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev.EventAction {
	case "trigger":
		p := ev.Payload
		if p == nil || p.Summary == "" || len(p.Summary) > 1024 || p.Source == "" ||
			!strings.Contains(" critical error warning info ", " "+p.Severity+" ") {
			f.invalid(w, "payload.summary, payload.source and payload.severity are required")
			return
		}
		if ev.DedupKey == "" {
			f.invalid(w, "this fake wants a dedup_key")
			return
		}
		if !f.open[ev.DedupKey] {
			f.opened++
			f.open[ev.DedupKey] = true
		}
		f.triggers[ev.DedupKey]++
	case "resolve", "acknowledge":
		if ev.DedupKey == "" {
			f.invalid(w, "dedup_key is required to "+ev.EventAction)
			return
		}
		if ev.EventAction == "resolve" {
			f.open[ev.DedupKey] = false
		}
	default:
		f.invalid(w, "event_action must be trigger, acknowledge or resolve")
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "success", "message": "Event processed", "dedup_key": ev.DedupKey})
}

func (f *pagerDutyFake) incidents() (opened int, open map[string]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]bool{}
	for k, v := range f.open {
		m[k] = v
	}
	return f.opened, m
}

// opsgenieFake is the Alert API: POST /v2/alerts and /v2/alerts/{alias}/close, GenieKey auth.
type opsgenieFake struct {
	vendorFake
	apiKey  string
	created int             // alerts created
	open    map[string]bool // alias → open
	count   map[string]int  // alias → times raised
}

func startOpsgenie(t testing.TB, apiKey string) *opsgenieFake {
	f := &opsgenieFake{vendorFake: vendorFake{t: t}, apiKey: apiKey, open: map[string]bool{}, count: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *opsgenieFake) serve(w http.ResponseWriter, r *http.Request) {
	body, done := f.take(w, r)
	if done {
		return
	}
	if r.Header.Get("Authorization") != "GenieKey "+f.apiKey {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Could not authenticate", "took": 0.001, "requestId": "r-401"})
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "POST application/json expected", "took": 0.001, "requestId": "r-400"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if alias, ok := strings.CutPrefix(r.URL.Path, "/v2/alerts/"); ok {
		alias, ok = strings.CutSuffix(alias, "/close")
		if !ok || r.URL.Query().Get("identifierType") != "alias" {
			http.NotFound(w, r)
			return
		}
		f.open[alias] = false
		writeJSON(w, http.StatusAccepted, map[string]any{"result": "Request will be processed", "took": 0.01, "requestId": "r-close"})
		return
	}
	if r.URL.Path != "/v2/alerts" {
		http.NotFound(w, r)
		return
	}
	var a struct {
		Message  string `json:"message"`
		Alias    string `json:"alias"`
		Priority string `json:"priority"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Message == "" || len([]rune(a.Message)) > 130 || len(a.Alias) > 512 ||
		!strings.Contains(" P1 P2 P3 P4 P5 ", " "+a.Priority+" ") {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Request body is not processable. Please check the errors.", "took": 0.001, "requestId": "r-422"})
		return
	}
	if !f.open[a.Alias] {
		f.created++
		f.open[a.Alias] = true
	}
	f.count[a.Alias]++
	writeJSON(w, http.StatusAccepted, map[string]any{"result": "Request will be processed", "took": 0.1, "requestId": "r-202"})
}

// datadogFake is the v1 events intake: POST /api/v1/events, DD-API-KEY.
type datadogFake struct {
	vendorFake
	apiKey string
	events []map[string]any
}

func startDatadog(t testing.TB, apiKey string) *datadogFake {
	f := &datadogFake{vendorFake: vendorFake{t: t}, apiKey: apiKey}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *datadogFake) serve(w http.ResponseWriter, r *http.Request) {
	body, done := f.take(w, r)
	if done {
		return
	}
	if r.Header.Get("DD-API-KEY") != f.apiKey {
		writeJSON(w, http.StatusForbidden, map[string]any{"errors": []string{"Forbidden"}})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/events" {
		http.NotFound(w, r)
		return
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"Invalid JSON"}})
		return
	}
	title, _ := e["title"].(string)
	text, _ := e["text"].(string)
	at, _ := e["alert_type"].(string)
	if title == "" || len(title) > 100 || len(text) > 4000 ||
		!strings.Contains(" error warning info success user_update recommendation snapshot ", " "+at+" ") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"Event title, text or alert_type is invalid"}})
		return
	}
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "ok", "event": map[string]any{"id": len(f.events), "title": title}})
}

// teamsFake is a Workflows webhook: POST an Adaptive Card message, 202.
type teamsFake struct {
	vendorFake
	path  string
	cards []map[string]any
}

func startTeams(t testing.TB, path string) *teamsFake {
	f := &teamsFake{vendorFake: vendorFake{t: t}, path: path}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *teamsFake) serve(w http.ResponseWriter, r *http.Request) {
	body, done := f.take(w, r)
	if done {
		return
	}
	if r.Method != http.MethodPost || r.URL.RequestURI() != f.path {
		http.NotFound(w, r)
		return
	}
	var m struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string         `json:"contentType"`
			Content     map[string]any `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Type != "message" || len(m.Attachments) != 1 ||
		m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		m.Attachments[0].Content["type"] != "AdaptiveCard" || m.Attachments[0].Content["version"] == nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":"InvalidRequestContent","message":"The request content is not an Adaptive Card message."}}`)
		return
	}
	f.mu.Lock()
	f.cards = append(f.cards, m.Attachments[0].Content)
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}
