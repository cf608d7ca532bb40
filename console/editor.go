package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// newMonitorJSON is the editor's starting point for a new monitor.
const newMonitorJSON = `{
  "name": "",
  "paused": false,
  "networks": ["stellar_mainnet"],
  "addresses": [],
  "match_conditions": {
    "functions": [],
    "events": [],
    "transactions": []
  },
  "trigger_conditions": [],
  "triggers": []
}`

type editorData struct {
	ID       string
	Name     string
	JSON     string
	Triggers []triggerView
	Problems []lineMessage
	// Trigger is a trigger's JSON to create or replace with the save
	// (never prefilled: stored triggers come back with secrets masked).
	Trigger         string
	TriggerProblems []lineMessage
	Network         string
	From, To        string
	Networks        []string
	DryRun          *dryRunResult
	Saved           bool
}

type lineMessage struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type triggerView struct {
	Name, Type string
	Paused     bool
	JSON       string
}

func (c *Console) editorPage(w http.ResponseWriter, r *http.Request, s session) {
	v := viewOf(s, "New monitor", "editor")
	d := editorData{JSON: newMonitorJSON, Saved: r.URL.Query().Get("saved") == "1"}
	if id := r.PathValue("id"); id != "" {
		var out struct {
			Monitor struct {
				ID            string          `json:"id"`
				Name          string          `json:"name"`
				Triggers      []string        `json:"triggers"`
				Configuration json.RawMessage `json:"configuration"`
			} `json:"monitor"`
		}
		if err := c.exec(r.Context(), s.Cred, `query($id:ID!){monitor(id:$id){id name triggers configuration}}`, map[string]any{"id": id}, &out); err != nil {
			c.apiFailed(w, r, s, err, "editor", v)
			return
		}
		d.ID, d.Name, d.JSON = out.Monitor.ID, out.Monitor.Name, indent(out.Monitor.Configuration)
		v.Title = "Monitor " + d.Name
		tv, err := c.triggersOf(r.Context(), s.Cred, out.Monitor.Triggers)
		if err != nil {
			c.apiFailed(w, r, s, err, "editor", v)
			return
		}
		d.Triggers = tv
	}
	c.fillDryRunDefaults(r.Context(), s, &d)
	v.Data = d
	c.render(w, r, http.StatusOK, "editor", v)
}

// triggersOf is the monitor's triggers, their secrets masked (the API
// redacts them; the console masks again whatever looks like one).
func (c *Console) triggersOf(ctx context.Context, cred string, names []string) ([]triggerView, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var out struct {
		Triggers []struct {
			Name          string `json:"name"`
			Type          string `json:"type"`
			Paused        bool   `json:"paused"`
			Configuration any    `json:"configuration"`
		} `json:"triggers"`
	}
	if err := c.exec(ctx, cred, `{triggers{name type paused configuration}}`, nil, &out); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var tv []triggerView
	for _, t := range out.Triggers {
		if !want[t.Name] {
			continue
		}
		js, _ := json.MarshalIndent(maskSecrets(t.Configuration, ""), "", "  ")
		tv = append(tv, triggerView{Name: t.Name, Type: t.Type, Paused: t.Paused, JSON: string(js)})
	}
	return tv, nil
}

// fillDryRunDefaults picks the monitor's first network and its last ten
// processed ledgers.
func (c *Console) fillDryRunDefaults(ctx context.Context, s session, d *editorData) {
	var out struct {
		Networks []struct {
			Slug   string `json:"slug"`
			Status struct {
				LastLedger *int `json:"lastLedger"`
			} `json:"status"`
		} `json:"networks"`
	}
	if err := c.exec(ctx, s.Cred, `{networks{slug status{lastLedger}}}`, nil, &out); err != nil {
		c.o.log.WarnContext(ctx, "console: list networks for the dry run", "err", err)
		return
	}
	var mon struct {
		Networks []string `json:"networks"`
	}
	_ = json.Unmarshal([]byte(d.JSON), &mon)
	if d.Network == "" && len(mon.Networks) > 0 {
		d.Network = mon.Networks[0]
	}
	for _, n := range out.Networks {
		d.Networks = append(d.Networks, n.Slug)
		if d.Network == "" {
			d.Network = n.Slug
		}
		if n.Slug == d.Network && d.From == "" && n.Status.LastLedger != nil {
			last := *n.Status.LastLedger
			d.From, d.To = strconv.Itoa(max(last-9, 1)), strconv.Itoa(max(last, 1))
		}
	}
}

// validate checks a monitor's JSON with the API as the user types and
// answers the problems with their lines.
func (c *Console) validate(w http.ResponseWriter, r *http.Request, s session) {
	text := r.PostFormValue("monitor")
	probs, err := c.check(r.Context(), s.Cred, text)
	if err != nil {
		writeJSONError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": len(probs) == 0, "problems": probs})
}

// check is the API's verdict on a monitor's JSON without storing it:
// validateMonitor runs createMonitor's checks against the tenant's stored
// configuration and lists what it would refuse, each with its path.
func (c *Console) check(ctx context.Context, cred, text string) ([]lineMessage, error) {
	var mon any
	if err := json.Unmarshal([]byte(text), &mon); err != nil {
		return []lineMessage{{Line: max(syntaxLine(text, err), 1), Message: "not valid JSON: " + err.Error()}}, nil
	}
	var out struct {
		ValidateMonitor []struct{ Message, Path string }
	}
	if err := c.exec(ctx, cred, `query($m:JSON!){validateMonitor(monitor:$m){message path}}`, map[string]any{"m": mon}, &out); err != nil {
		return nil, err
	}
	var probs []lineMessage
	for _, p := range out.ValidateMonitor {
		if p.Path != "" {
			probs = append(probs, lineMessage{Line: lineOf(text, strings.TrimPrefix(p.Path, "$.")), Message: p.Path + ": " + p.Message})
			continue
		}
		probs = append(probs, messageLines(text, p.Message)...)
	}
	return probs, nil
}

// problemsOf places each of the API's validation messages at its line.
func problemsOf(text string, ae *apiError) []lineMessage {
	var out []lineMessage
	for _, g := range ae.Errors {
		if p := g.ext("path"); p != "" {
			out = append(out, lineMessage{Line: lineOf(text, strings.TrimPrefix(p, "$.")), Message: p + ": " + g.Message})
			continue
		}
		out = append(out, messageLines(text, g.Message)...)
	}
	return out
}

// messageLines places each line of a message without a path at the line
// of the path it names, or at line 1.
func messageLines(text, message string) []lineMessage {
	var out []lineMessage
	for _, msg := range strings.Split(message, "\n") {
		path, rest := pathInMessage(msg)
		line := 1
		if path != "" {
			line = lineOf(text, path)
			rest = path + ": " + rest
		}
		out = append(out, lineMessage{Line: line, Message: rest})
	}
	return out
}

// save creates or replaces the monitor, showing the API's validation
// messages at their lines when it refuses.
func (c *Console) save(w http.ResponseWriter, r *http.Request, s session) {
	d := editorData{ID: r.PostFormValue("id"), JSON: r.PostFormValue("monitor")}
	v := viewOf(s, "Edit monitor", "editor")
	var mon any
	if err := json.Unmarshal([]byte(d.JSON), &mon); err != nil {
		d.Problems = []lineMessage{{Line: max(syntaxLine(d.JSON, err), 1), Message: "not valid JSON: " + err.Error()}}
		c.renderEditor(w, r, s, http.StatusUnprocessableEntity, v, d)
		return
	}
	d.Trigger = strings.TrimSpace(r.PostFormValue("trigger"))
	if d.Trigger != "" && !c.saveTrigger(w, r, s, v, &d) {
		return
	}
	var out map[string]struct {
		ID string `json:"id"`
	}
	op := "createMonitor"
	q := `mutation($m:JSON!){createMonitor(monitor:$m){id}}`
	vars := map[string]any{"m": mon}
	if d.ID != "" {
		op = "replaceMonitor"
		q = `mutation($id:ID!,$m:JSON!){replaceMonitor(id:$id,monitor:$m){id}}`
		vars["id"] = d.ID
	}
	if err := c.exec(r.Context(), s.Cred, q, vars, &out); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && (ae.code() == "VALIDATION_FAILED" || ae.code() == "BAD_USER_INPUT" || ae.code() == "QUOTA_EXCEEDED") {
			d.Problems = problemsOf(d.JSON, ae)
			c.renderEditor(w, r, s, http.StatusUnprocessableEntity, v, d)
			return
		}
		c.apiFailed(w, r, s, err, "editor", v)
		return
	}
	http.Redirect(w, r, prefix+"/monitors/"+out[op].ID+"?saved=1", http.StatusSeeOther)
}

// saveTrigger creates or replaces the trigger in d.Trigger (createTrigger
// replaces one of the same key) before the monitor that may name it; on a
// refusal it renders the editor with the problems and reports false.
func (c *Console) saveTrigger(w http.ResponseWriter, r *http.Request, s session, v view, d *editorData) bool {
	var trig any
	if err := json.Unmarshal([]byte(d.Trigger), &trig); err != nil {
		d.TriggerProblems = []lineMessage{{Line: max(syntaxLine(d.Trigger, err), 1), Message: "not valid JSON: " + err.Error()}}
		c.renderEditor(w, r, s, http.StatusUnprocessableEntity, v, *d)
		return false
	}
	err := c.exec(r.Context(), s.Cred, `mutation($t:JSON!){createTrigger(trigger:$t){id}}`, map[string]any{"t": trig}, nil)
	var ae *apiError
	switch {
	case err == nil:
		d.Trigger = ""
		return true
	case errors.As(err, &ae) && ae.code() != "UNAUTHENTICATED" && ae.code() != "NOT_FOUND":
		d.TriggerProblems = problemsOf(d.Trigger, ae)
		c.renderEditor(w, r, s, statusOf(ae), v, *d)
	default:
		c.apiFailed(w, r, s, err, "editor", v)
	}
	return false
}

func (c *Console) renderEditor(w http.ResponseWriter, r *http.Request, s session, status int, v view, d editorData) {
	c.fillDryRunDefaults(r.Context(), s, &d)
	v.Data = d
	c.render(w, r, status, "editor", v)
}

// indent lays out stored JSON for editing. Go's encoder escapes <, > and &
// as \u003c, \u003e, \u0026; in JSON they are the same characters, and
// an expression reads better without the escapes.
func indent(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return htmlEscapes.Replace(b.String())
}

var htmlEscapes = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")
