package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deliveryStatuses are the API's DeliveryStatus values.
var deliveryStatuses = []string{"PENDING", "SENDING", "DELIVERED", "FAILED", "ARCHIVED", "IN_DOUBT"}

type deliveryRow struct {
	Monitor, Network, Trigger, Channel, Status, TxHash, LastError string
	Ledger, Attempts                                              int
	Orphaned                                                      bool
	CreatedAt                                                     time.Time
	UpdatedAt                                                     time.Time
	DeliveredAt                                                   *time.Time
	Resendable                                                    bool
}

type deliveriesData struct {
	Monitor, Status, Since, Until string
	Statuses                      []string
	Rows                          []deliveryRow
	Next                          template.URL // the next page
	First                         template.URL // the first page
	Paged                         bool
}

const timeForm = "2006-01-02T15:04"

func (c *Console) deliveriesPage(w http.ResponseWriter, r *http.Request, s session) {
	q := r.URL.Query()
	d := deliveriesData{Monitor: strings.TrimSpace(q.Get("monitor")), Status: strings.ToUpper(q.Get("status")),
		Since: q.Get("since"), Until: q.Get("until"), Statuses: deliveryStatuses, Paged: q.Get("after") != ""}
	v := viewOf(s, "Deliveries", "deliveries")
	v.Notice = q.Get("notice")
	filter, err := deliveryFilter(d.Monitor, d.Status, d.Since, d.Until)
	if err != nil {
		v.Error = err.Error()
		v.Data = d
		c.render(w, r, http.StatusBadRequest, "deliveries", v)
		return
	}
	var out struct {
		Deliveries struct {
			Nodes    []deliveryRow `json:"nodes"`
			PageInfo struct {
				EndCursor   *string `json:"endCursor"`
				HasNextPage bool    `json:"hasNextPage"`
			} `json:"pageInfo"`
		} `json:"deliveries"`
	}
	var after *string
	if a := q.Get("after"); a != "" {
		after = &a
	}
	err = c.exec(r.Context(), s.Cred, `query($f:DeliveryFilter,$a:String){deliveries(filter:$f,first:50,after:$a){nodes{monitor network ledger txHash trigger channel status attempts lastError orphaned createdAt updatedAt deliveredAt} pageInfo{endCursor hasNextPage}}}`,
		map[string]any{"f": filter, "a": after}, &out)
	if err != nil {
		v.Data = d
		c.apiFailed(w, r, s, err, "deliveries", v)
		return
	}
	for _, n := range out.Deliveries.Nodes {
		n.Resendable = n.Status == "FAILED" || n.Status == "ARCHIVED"
		n.LastError = clipText(n.LastError, 300)
		d.Rows = append(d.Rows, n)
	}
	base := url.Values{}
	for k, val := range map[string]string{"monitor": d.Monitor, "status": d.Status, "since": d.Since, "until": d.Until} {
		if val != "" {
			base.Set(k, val)
		}
	}
	d.First = template.URL(prefix + "/deliveries?" + base.Encode()) //nolint:gosec // built by url.Values
	if out.Deliveries.PageInfo.HasNextPage && out.Deliveries.PageInfo.EndCursor != nil {
		next := url.Values{}
		for k, vs := range base {
			next[k] = vs
		}
		next.Set("after", *out.Deliveries.PageInfo.EndCursor)
		d.Next = template.URL(prefix + "/deliveries?" + next.Encode()) //nolint:gosec // built by url.Values
	}
	v.Data = d
	c.render(w, r, http.StatusOK, "deliveries", v)
}

// deliveryFilter is the API's DeliveryFilter of the page's form; times
// are UTC, as the table shows them.
func deliveryFilter(monitor, status, since, until string) (map[string]any, error) {
	f := map[string]any{}
	if monitor != "" {
		f["monitor"] = monitor
	}
	if status != "" {
		ok := false
		for _, s := range deliveryStatuses {
			ok = ok || s == status
		}
		if !ok {
			return nil, errors.New("status: choose one of " + strings.Join(deliveryStatuses, ", "))
		}
		f["status"] = status
	}
	for k, val := range map[string]string{"since": since, "until": until} {
		if val == "" {
			continue
		}
		t, err := parseTime(val)
		if err != nil {
			return nil, errors.New(k + ": give a time as 2026-01-31T14:00 (UTC) or RFC 3339")
		}
		f[k] = t.Format(time.RFC3339Nano)
	}
	return f, nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation(timeForm, s, time.UTC)
}

// resend re-queues one failed or archived delivery, or every one the
// filter selects, with the API's retryDeliveries and its rules (a
// delivered notification is never resent from the console).
func (c *Console) resend(w http.ResponseWriter, r *http.Request, s session) {
	status := strings.ToUpper(r.PostFormValue("status"))
	if status != "FAILED" && status != "ARCHIVED" {
		http.Error(w, "status: only FAILED or ARCHIVED deliveries are resent", http.StatusBadRequest)
		return
	}
	filter, err := deliveryFilter(r.PostFormValue("monitor"), status, r.PostFormValue("since"), r.PostFormValue("until"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if at := r.PostFormValue("at"); at != "" {
		// One row: its creation instant, to the microsecond PostgreSQL keeps.
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			http.Error(w, "at: not an RFC 3339 time", http.StatusBadRequest)
			return
		}
		filter["since"] = t.Format(time.RFC3339Nano)
		filter["until"] = t.Add(time.Microsecond).Format(time.RFC3339Nano)
	}
	var out struct {
		RetryDeliveries struct {
			Requeued int `json:"requeued"`
			Failed   int `json:"failed"`
			Skipped  []struct {
				Explanation string `json:"explanation"`
			} `json:"skipped"`
		} `json:"retryDeliveries"`
	}
	if err := c.exec(r.Context(), s.Cred, `mutation($f:DeliveryFilter){retryDeliveries(filter:$f){requeued failed skipped{explanation}}}`, map[string]any{"f": filter}, &out); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.code() != "UNAUTHENTICATED" {
			http.Redirect(w, r, prefix+"/deliveries?"+url.Values{"notice": {"Resend refused: " + ae.Error()}}.Encode(), http.StatusSeeOther)
			return
		}
		c.apiFailed(w, r, s, err, "deliveries", viewOf(s, "Deliveries", "deliveries"))
		return
	}
	res := out.RetryDeliveries
	msg := []string{plural(res.Requeued, "delivery", "deliveries") + " queued again"}
	if res.Failed > 0 {
		msg = append(msg, plural(res.Failed, "could", "could")+" not be queued")
	}
	for _, sk := range res.Skipped {
		msg = append(msg, "skipped: "+sk.Explanation)
	}
	back := url.Values{"notice": {clipText(strings.Join(msg, "; "), 500)}}
	if m := r.PostFormValue("monitor"); m != "" {
		back.Set("monitor", m)
	}
	http.Redirect(w, r, prefix+"/deliveries?"+back.Encode(), http.StatusSeeOther)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strings.TrimSpace(strings.Join([]string{itoa(n), many}, " "))
}
