package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	GridPos struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Datasource map[string]string `json:"datasource"`
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("grafana/ozmon-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both required", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want >= 36", d.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" {
		t.Error("no datasource variable: panels would be bound to one Prometheus uid")
	}

	ids := map[int]bool{}
	exprs := map[string][]string{} // title -> exprs
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: bad gridPos %+v", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		if p.Datasource["uid"] != "${datasource}" {
			t.Errorf("panel %q: datasource %v, want the ${datasource} variable", p.Title, p.Datasource)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if refs[tg.RefID] {
				t.Errorf("panel %q: refId %s twice", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			checkExpr(t, fmt.Sprintf("panel %q", p.Title), tg.Expr)
			exprs[p.Title] = append(exprs[p.Title], tg.Expr)
		}
	}

	// The panels the operators asked for, each with the query that makes it.
	required := []struct{ title, mustUse string }{
		{"Worker distribution by pod", "by (pod) (oz_monitor_worker_count)"},
		{"Tenants per worker", "oz_monitor_tenant_count"},
		{"Tenant evaluations by pod", "sum by (pod) (rate(oz_monitor_evaluations_total"},
		{"RPC usage by network", "sum by (network, method, outcome) (rate(oz_monitor_rpc_calls_total"},
		{"Cache hit rate", "oz_monitor_cache_hits_total"},
		{"Cache hit rate", "oz_monitor_cache_requests_total"},
		{"Ledger lag", "oz_monitor_blocks_behind"},
		{"End-to-end latency (ledger to delivery)", "histogram_quantile(0.99, sum by (le, network) (rate(oz_monitor_ledger_to_delivery_seconds_bucket"},
		{"Deliveries by outcome and channel", "sum by (channel, outcome) (rate(oz_monitor_deliveries_total"},
		{"Dead letters (archived tasks) by queue", `oz_monitor_queue_size{state="archived"}`},
		{"Queue latency", "oz_monitor_queue_latency_seconds"},
		{"Evaluations", "sum(increase(oz_monitor_evaluations_total"},
		{"Matches", "sum(increase(oz_monitor_matches_total"},
		{"Deliveries", `sum(increase(oz_monitor_deliveries_total{outcome="delivered"}`},
		{"Script time", "sum(increase(oz_monitor_script_milliseconds_total"},
	}
	for _, r := range required {
		es, ok := exprs[r.title]
		if !ok {
			t.Errorf("no panel titled %q", r.title)
			continue
		}
		if !strings.Contains(strings.Join(es, "\n"), r.mustUse) {
			t.Errorf("panel %q does not query %q; has %q", r.title, r.mustUse, es)
		}
	}
}

func TestGrafanaProvisioning(t *testing.T) {
	t.Parallel()
	ds := yamlDoc(t, "grafana/provisioning/datasources/prometheus.yaml")
	if dig(ds, "datasources", 0, "type") != "prometheus" || dig(ds, "datasources", 0, "url") != "http://prometheus:9090" {
		t.Errorf("datasource provisioning: %v", ds)
	}
	dp := yamlDoc(t, "grafana/provisioning/dashboards/ozmon.yaml")
	path, _ := dig(dp, "providers", 0, "options", "path").(string)
	// docker-compose mounts the dashboard into this directory.
	compose := yamlDoc(t, "docker-compose.yml")
	var mounted bool
	for _, v := range asList(dig(compose, "services", "grafana", "volumes")) {
		s, _ := v.(string)
		if strings.HasPrefix(s, "./grafana/ozmon-dashboard.json:"+path+"/") {
			mounted = true
		}
	}
	if path == "" || !mounted {
		t.Errorf("dashboard provider path %q is not where compose mounts ozmon-dashboard.json", path)
	}
}
