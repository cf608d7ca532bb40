package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// monitorsPerPage keeps the monitors page small however many there are.
const monitorsPerPage = 50

// activityPages bounds the delivery pages (activityPage each) read for
// the last 24 hours' activity; a page stays under api.complexity_limit.
const (
	activityPages = 20
	activityPage  = 100
)

type monitorRow struct {
	ID        string
	Name      string
	Paused    bool
	Networks  []string
	Triggers  []string
	Problems  []string
	LastMatch *time.Time
	Matches   int
	Spark     template.HTML
}

type monitorsData struct {
	Rows       []monitorRow
	Total      int
	Page, Last int
	Truncated  bool
}

type apiMonitor struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Paused   bool     `json:"paused"`
	Networks []string `json:"networks"`
	Triggers []string `json:"triggers"`
	Problems []string `json:"problems"`
}

func (c *Console) monitorsPage(w http.ResponseWriter, r *http.Request, s session) {
	v := viewOf(s, "Monitors", "monitors")
	var out struct {
		Monitors []apiMonitor `json:"monitors"`
	}
	if err := c.exec(r.Context(), s.Cred, `{monitors{id name paused networks triggers problems}}`, nil, &out); err != nil {
		c.apiFailed(w, r, s, err, "monitors", v)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	last := max((len(out.Monitors)-1)/monitorsPerPage, 0)
	page = min(max(page, 0), last)
	list := out.Monitors[page*monitorsPerPage : min((page+1)*monitorsPerPage, len(out.Monitors))]
	at := c.o.now()
	now := at.UTC().Truncate(time.Hour).Add(time.Hour)
	cached, ok := c.act.get(s.Tenant, at, now)
	if !ok {
		data, truncated, err := c.activity(r.Context(), s.Cred, now.Add(-24*time.Hour))
		if err != nil {
			c.apiFailed(w, r, s, err, "monitors", v)
			return
		}
		cached = activityEntry{at: at, end: now, data: data, truncated: truncated}
		c.act.put(s.Tenant, cached)
	}
	act, truncated := cached.data, cached.truncated
	d := monitorsData{Total: len(out.Monitors), Page: page, Last: last, Truncated: truncated}
	for _, m := range list {
		a := act[m.Name]
		row := monitorRow{ID: m.ID, Name: m.Name, Paused: m.Paused, Networks: m.Networks, Triggers: m.Triggers, Problems: m.Problems}
		counts := make([]int, 24)
		if a != nil {
			counts = a.perHour(now)
			row.LastMatch = &a.last
			row.Matches = a.total
		}
		row.Spark = sparkline(counts, fmt.Sprintf("%d matches in the last 24 hours", row.Matches))
		d.Rows = append(d.Rows, row)
	}
	v.Data = d
	c.render(w, r, http.StatusOK, "monitors", v)
}

// monitorActivity is what the delivery log says of one monitor's matches.
type monitorActivity struct {
	last  time.Time
	total int
	hours map[int64]int // hour start (unix) → matches
	seen  map[string]bool
}

func (a *monitorActivity) perHour(end time.Time) []int {
	out := make([]int, 24)
	for i := range out {
		out[i] = a.hours[end.Add(time.Duration(i-24)*time.Hour).Unix()]
	}
	return out
}

// activity counts each monitor's matches per hour since since, from the
// delivery log: a match is one (network, ledger, transaction) however many
// triggers it fired. Matches of monitors without triggers send nothing
// and are not seen here.
func (c *Console) activity(ctx context.Context, cred string, since time.Time) (map[string]*monitorActivity, bool, error) {
	out := map[string]*monitorActivity{}
	var after *string
	for range activityPages {
		var page struct {
			Deliveries struct {
				Nodes []struct {
					Monitor   string    `json:"monitor"`
					Network   string    `json:"network"`
					Ledger    int64     `json:"ledger"`
					TxHash    string    `json:"txHash"`
					CreatedAt time.Time `json:"createdAt"`
				} `json:"nodes"`
				PageInfo struct {
					EndCursor   *string `json:"endCursor"`
					HasNextPage bool    `json:"hasNextPage"`
				} `json:"pageInfo"`
			} `json:"deliveries"`
		}
		err := c.exec(ctx, cred, `query($s:Time,$a:String,$n:Int){deliveries(filter:{since:$s},first:$n,after:$a){nodes{monitor network ledger txHash createdAt} pageInfo{endCursor hasNextPage}}}`,
			map[string]any{"s": since.Format(time.RFC3339), "a": after, "n": activityPage}, &page)
		if err != nil {
			return nil, false, err
		}
		for _, n := range page.Deliveries.Nodes {
			a := out[n.Monitor]
			if a == nil {
				a = &monitorActivity{hours: map[int64]int{}, seen: map[string]bool{}}
				out[n.Monitor] = a
			}
			k := n.Network + "/" + strconv.FormatInt(n.Ledger, 10) + "/" + n.TxHash
			if a.seen[k] {
				continue
			}
			a.seen[k] = true
			a.total++
			a.hours[n.CreatedAt.UTC().Truncate(time.Hour).Unix()]++
			if n.CreatedAt.After(a.last) {
				a.last = n.CreatedAt
			}
		}
		if !page.Deliveries.PageInfo.HasNextPage {
			return out, false, nil
		}
		after = page.Deliveries.PageInfo.EndCursor
	}
	return out, true, nil
}

// pause pauses or resumes a monitor; a fetch gets JSON, a form a redirect
// back to the row.
func (c *Console) pause(paused bool) handler {
	return func(w http.ResponseWriter, r *http.Request, s session) {
		id := r.PathValue("id")
		op := "resumeMonitor"
		if paused {
			op = "pauseMonitor"
		}
		var out map[string]struct {
			ID     string `json:"id"`
			Paused bool   `json:"paused"`
		}
		err := c.exec(r.Context(), s.Cred, fmt.Sprintf(`mutation($id:ID!){%s(id:$id){id paused}}`, op), map[string]any{"id": id}, &out)
		if wantsJSON(r) {
			if err != nil {
				writeJSONError(w, err)
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"id": out[op].ID, "paused": out[op].Paused})
			return
		}
		if err != nil {
			c.apiFailed(w, r, s, err, "monitors", viewOf(s, "Monitors", "monitors"))
			return
		}
		http.Redirect(w, r, prefix+"/monitors#m-"+out[op].ID, http.StatusSeeOther)
	}
}
