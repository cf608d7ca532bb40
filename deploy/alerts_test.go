package deploy_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

func TestAlertRules(t *testing.T) {
	t.Parallel()
	doc := yamlDoc(t, "prometheus/alerts.yaml")
	groups := asList(doc["groups"])
	if len(groups) == 0 {
		t.Fatal("no rule groups")
	}
	alerts := map[string]string{}
	for _, g := range groups {
		gname, _ := dig(g, "name").(string)
		if gname == "" {
			t.Error("a rule group without a name")
		}
		for _, r := range asList(dig(g, "rules")) {
			name, _ := dig(r, "alert").(string)
			expr, _ := dig(r, "expr").(string)
			if name == "" {
				t.Errorf("group %s: a rule without an alert name", gname)
				continue
			}
			if _, dup := alerts[name]; dup {
				t.Errorf("alert %s defined twice", name)
			}
			alerts[name] = expr
			checkExpr(t, "alert "+name, expr)
			if f, _ := dig(r, "for").(string); f != "" {
				if _, err := time.ParseDuration(f); err != nil {
					t.Errorf("alert %s: for %q: %v", name, f, err)
				}
			}
			switch dig(r, "labels", "severity") {
			case "critical", "warning", "info":
			default:
				t.Errorf("alert %s: severity %v", name, dig(r, "labels", "severity"))
			}
			if s, _ := dig(r, "annotations", "summary").(string); s == "" {
				t.Errorf("alert %s: no summary", name)
			}
		}
	}
	for name, must := range map[string]string{
		"OzmonLedgerLagGrowing":        "oz_monitor_blocks_behind",
		"OzmonDeadLetterQueueGrowing":  `oz_monitor_queue_size{state="archived"}`,
		"OzmonDeliveryFailureRateHigh": "oz_monitor_deliveries_total",
		"OzmonNoLedgersProcessed":      "rate(oz_monitor_ledgers_enqueued_total[5m])) == 0",
	} {
		if !strings.Contains(alerts[name], must) {
			t.Errorf("alert %s missing or not on %q: %q", name, must, alerts[name])
		}
	}

	// The rule file decodes strictly as the Prometheus Operator's rule
	// spec (the same format: groups of alert rules), so a misspelt key
	// such as "anotations" fails here.
	raw, err := os.ReadFile("prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec monitoringv1.PrometheusRuleSpec
	if err := sigsyaml.UnmarshalStrict(raw, &spec); err != nil {
		t.Errorf("prometheus/alerts.yaml: %v", err)
	}
	js, err := sigsyaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := decodeStrict(js, &monitoringv1.PrometheusRuleSpec{}); err != nil {
		t.Errorf("prometheus/alerts.yaml: %v", err)
	}

	// The PrometheusRule carries exactly the same groups.
	objs := objectsByKey(t, "k8s/base")
	rule := as[monitoringv1.PrometheusRule](t, objs, "PrometheusRule/ozmon")
	if !reflect.DeepEqual(rule.Spec, spec) {
		t.Error("k8s/base/prometheusrule.yaml spec.groups differ from prometheus/alerts.yaml")
	}
	if len(rule.Spec.Groups) != len(groups) {
		t.Errorf("PrometheusRule has %d groups, alerts.yaml %d", len(rule.Spec.Groups), len(groups))
	}
}

func TestPrometheusConfig(t *testing.T) {
	t.Parallel()
	doc := yamlDoc(t, "prometheus/prometheus.yml")
	if !reflect.DeepEqual(asList(doc["rule_files"]), []any{"/etc/prometheus/alerts.yaml"}) {
		t.Errorf("rule_files = %v", doc["rule_files"])
	}
	jobs := map[string]bool{}
	for _, sc := range asList(doc["scrape_configs"]) {
		name, _ := dig(sc, "job_name").(string)
		jobs[name] = true
		if strings.HasPrefix(name, "ozmon-") && dig(sc, "dns_sd_configs", 0, "port") != 3000 {
			t.Errorf("job %s does not scrape :3000", name)
		}
	}
	if !jobs["ozmon-scheduler"] || !jobs["ozmon-worker"] {
		t.Errorf("scrape jobs %v lack ozmon-scheduler or ozmon-worker", jobs)
	}
}
