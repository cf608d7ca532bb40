package console

import (
	"html/template"
	"net/http"
	"strconv"
	"time"
)

type usageData struct {
	Monitors, MaxMonitors    int
	MaxNetworks, MaxTriggers int
	RatePerMinute, StorageMB int
	MonitorsGauge            template.HTML
	Deliveries, Matches, CPU template.HTML
	Evaluations              template.HTML
	Days                     []usageDay
}

type usageDay struct {
	Day                                        string
	Ledgers, Candidates, Matches, Sent, Failed int
	CPUms                                      float64
}

// usageDays is how far back the usage page looks.
const usageDays = 7

func (c *Console) usagePage(w http.ResponseWriter, r *http.Request, s session) {
	v := viewOf(s, "Usage", "usage")
	end := c.o.now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := end.Add(-usageDays * 24 * time.Hour)
	var out struct {
		Tenant struct {
			Quotas struct {
				MaxMonitors             int `json:"maxMonitors"`
				MaxNetworks             int `json:"maxNetworks"`
				MaxTriggersPerMonitor   int `json:"maxTriggersPerMonitor"`
				MaxRPCRequestsPerMinute int `json:"maxRpcRequestsPerMinute"`
				MaxStorageMb            int `json:"maxStorageMb"`
			} `json:"quotas"`
		} `json:"tenant"`
		Monitors []struct {
			ID string `json:"id"`
		} `json:"monitors"`
		Usage []struct {
			Hour                 time.Time `json:"hour"`
			LedgersEvaluated     int       `json:"ledgersEvaluated"`
			CandidateEvaluations int       `json:"candidateEvaluations"`
			EvaluationCPUMs      float64   `json:"evaluationCpuMs"`
			Matches              int       `json:"matches"`
			DeliveriesDelivered  int       `json:"deliveriesDelivered"`
			DeliveriesFailed     int       `json:"deliveriesFailed"`
		} `json:"usage"`
	}
	err := c.exec(r.Context(), s.Cred, `query($f:Time!,$t:Time!){tenant{quotas{maxMonitors maxNetworks maxTriggersPerMonitor maxRpcRequestsPerMinute maxStorageMb}} monitors{id} usage(from:$f,to:$t){hour ledgersEvaluated candidateEvaluations evaluationCpuMs matches deliveriesDelivered deliveriesFailed}}`,
		map[string]any{"f": from.Format(time.RFC3339), "t": end.Format(time.RFC3339)}, &out)
	if err != nil {
		c.apiFailed(w, r, s, err, "usage", v)
		return
	}
	q := out.Tenant.Quotas
	d := usageData{Monitors: len(out.Monitors), MaxMonitors: q.MaxMonitors, MaxNetworks: q.MaxNetworks,
		MaxTriggers: q.MaxTriggersPerMonitor, RatePerMinute: q.MaxRPCRequestsPerMinute, StorageMB: q.MaxStorageMb}
	d.MonitorsGauge = gauge(strconv.Itoa(d.Monitors)+" of "+strconv.Itoa(q.MaxMonitors)+" monitors", d.Monitors, q.MaxMonitors)
	byDay := map[string]*usageDay{}
	for i := range usageDays {
		day := from.Add(time.Duration(i) * 24 * time.Hour).Format("2006-01-02")
		d.Days = append(d.Days, usageDay{Day: day})
	}
	for i := range d.Days {
		byDay[d.Days[i].Day] = &d.Days[i]
	}
	for _, u := range out.Usage {
		day := byDay[u.Hour.UTC().Format("2006-01-02")]
		if day == nil {
			continue
		}
		day.Ledgers += u.LedgersEvaluated
		day.Candidates += u.CandidateEvaluations
		day.CPUms += u.EvaluationCPUMs
		day.Matches += u.Matches
		day.Sent += u.DeliveriesDelivered
		day.Failed += u.DeliveriesFailed
	}
	var sent, matches, cpu, evals []bar
	for _, day := range d.Days {
		label := day.Day[5:]
		sent = append(sent, bar{label, float64(day.Sent + day.Failed)})
		matches = append(matches, bar{label, float64(day.Matches)})
		cpu = append(cpu, bar{label, day.CPUms})
		evals = append(evals, bar{label, float64(day.Candidates)})
	}
	d.Deliveries = barChart("Deliveries per day (sent and failed)", sent, "deliveries")
	d.Matches = barChart("Matches per day", matches, "matches")
	d.CPU = barChart("Evaluation CPU per day, ms", cpu, "ms")
	d.Evaluations = barChart("Candidate evaluations per day", evals, "evaluations")
	v.Data = d
	c.render(w, r, http.StatusOK, "usage", v)
}

func itoa(n int) string { return strconv.Itoa(n) }
