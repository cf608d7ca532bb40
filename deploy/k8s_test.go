package deploy_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
)

func sharedCRD(t *testing.T, file string) string {
	t.Helper()
	return testkit.SharedPath(t, "testdata", "k8s-crds", file)
}

func TestScaledObject(t *testing.T) {
	t.Parallel()
	objs := k8sObjects(t, "k8s/base")
	so := objs["ScaledObject/ozmon-worker"]
	if so == nil {
		t.Fatal("no ScaledObject ozmon-worker in k8s/base")
	}
	checkAgainstCRD(t, sharedCRD(t, "keda.sh_scaledobjects.yaml"), so)
	ta := objs["TriggerAuthentication/ozmon-redis"]
	if ta == nil {
		t.Fatal("no TriggerAuthentication ozmon-redis in k8s/base")
	}
	checkAgainstCRD(t, sharedCRD(t, "keda.sh_triggerauthentications.yaml"), ta)

	spec := so["spec"].(map[string]any)
	minR, _ := spec["minReplicaCount"].(int)
	maxR, _ := spec["maxReplicaCount"].(int)
	if minR < 1 {
		t.Errorf("minReplicaCount %d: must be >= 1 (retries are forwarded only by running servers)", minR)
	}
	if maxR < minR {
		t.Errorf("maxReplicaCount %d < minReplicaCount %d", maxR, minR)
	}

	// The target is the worker Deployment, whose named container has the env
	// the triggers read.
	target, _ := dig(spec, "scaleTargetRef", "name").(string)
	dep := objs["Deployment/"+target]
	if target != "ozmon-worker" || dep == nil {
		t.Fatalf("scaleTargetRef %q is not the worker Deployment", target)
	}
	envs := containerEnv(dep, dig(spec, "scaleTargetRef", "envSourceContainerName").(string))

	// One redis trigger per pending list of the eval and notify queues (the
	// blocks queue may be added), each named and summed by the formula.
	pendingRE := regexp.MustCompile(`^asynq:\{([a-z-]+)\}:pending$`)
	covered := map[string]bool{}
	formula, _ := dig(spec, "advanced", "scalingModifiers", "formula").(string)
	if formula == "" || dig(spec, "advanced", "scalingModifiers", "target") == nil {
		t.Error("advanced.scalingModifiers needs formula and target")
	}
	for i, tr := range asList(spec["triggers"]) {
		where := fmt.Sprintf("trigger %d", i)
		if dig(tr, "type") != "redis" {
			t.Errorf("%s: type %v, want redis", where, dig(tr, "type"))
		}
		name, _ := dig(tr, "name").(string)
		if name == "" || !regexp.MustCompile(`\b`+regexp.QuoteMeta(name)+`\b`).MatchString(formula) {
			t.Errorf("%s: name %q is not used in formula %q", where, name, formula)
		}
		list, _ := dig(tr, "metadata", "listName").(string)
		m := pendingRE.FindStringSubmatch(list)
		if m == nil {
			t.Errorf("%s: listName %q is not an asynq pending list (asynq:{<queue>}:pending)", where, list)
			continue
		}
		if !slices.Contains(tasks.AllQueues(), m[1]) {
			t.Errorf("%s: queue %q is not one of ozmon's queues", where, m[1])
		}
		covered[m[1]] = true
		if dig(tr, "metadata", "listLength") == nil {
			t.Errorf("%s: listLength is required", where)
		}
		if env, _ := dig(tr, "metadata", "addressFromEnv").(string); env != "" && !slices.Contains(envs, env) {
			t.Errorf("%s: addressFromEnv %s is not in the worker container's env %v", where, env, envs)
		}
		if ref, _ := dig(tr, "authenticationRef", "name").(string); ref != "" && objs["TriggerAuthentication/"+ref] == nil {
			t.Errorf("%s: authenticationRef %s does not exist", where, ref)
		}
	}
	for _, tier := range tasks.Tiers() {
		for _, q := range []string{tasks.EvalQueue(tier), tasks.NotifyQueue(tier)} {
			if !covered[q] {
				t.Errorf("no trigger on asynq:{%s}:pending", q)
			}
		}
	}
}

func containerEnv(dep map[string]any, container string) []string {
	var names []string
	for _, c := range asList(dig(dep, "spec", "template", "spec", "containers")) {
		if dig(c, "name") != container {
			continue
		}
		for _, e := range asList(dig(c, "env")) {
			names = append(names, dig(e, "name").(string))
		}
	}
	return names
}

func TestWorkerDeployment(t *testing.T) {
	t.Parallel()
	objs := k8sObjects(t, "k8s/base")
	dep := objs["Deployment/ozmon-worker"]
	if dep == nil {
		t.Fatal("no Deployment ozmon-worker")
	}
	cfg, err := config.Load(filepath.Join("k8s", "base", "config.yaml"), nil)
	if err != nil {
		t.Fatalf("k8s/base/config.yaml: %v", err)
	}
	grace, _ := dig(dep, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	if shutdown := int(cfg.Worker.ShutdownTimeout.D().Seconds()); grace <= shutdown || grace <= 20 {
		t.Errorf("terminationGracePeriodSeconds %d must exceed worker.shutdown_timeout (%ds) and 20", grace, shutdown)
	}
	if dig(dep, "spec", "replicas") != nil {
		t.Error("worker Deployment sets replicas; KEDA or the HPA owns them")
	}
	c := dig(dep, "spec", "template", "spec", "containers", 0)
	if !slices.Equal(asList(dig(c, "args")), []any{"worker"}) {
		t.Errorf("worker args %v", dig(c, "args"))
	}
	var metricsPort bool
	for _, p := range asList(dig(c, "ports")) {
		metricsPort = metricsPort || (dig(p, "name") == "metrics" && dig(p, "containerPort") == 3000)
	}
	if !metricsPort {
		t.Error("worker has no port metrics:3000")
	}
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
		if dig(c, probe, "httpGet", "path") != path || dig(c, probe, "httpGet", "port") != "metrics" {
			t.Errorf("%s: %v, want GET %s on metrics (3000)", probe, dig(c, probe), path)
		}
	}
	for _, k := range []string{"requests", "limits"} {
		if dig(c, "resources", k, "memory") == nil {
			t.Errorf("worker resources.%s.memory unset", k)
		}
	}
	if dig(objs["Deployment/ozmon-scheduler"], "spec", "replicas") != 2 {
		t.Error("scheduler Deployment should run 2 replicas")
	}
	if dig(objs["StatefulSet/ozmon-redis"], "spec", "replicas") != 1 {
		t.Error("redis StatefulSet must be a single primary")
	}
	if dig(objs["PodMonitor/ozmon"], "spec", "podMetricsEndpoints", 0, "port") != "metrics" {
		t.Error("PodMonitor does not scrape the metrics port")
	}
}

// secretLike names environment variables whose values are credentials.
var secretLike = regexp.MustCompile(`(?i)password|passwd|token|secret|database_url|redis_url|api_key|credential`)

// TestNoInlineSecrets: Kubernetes manifests reference Secrets and never
// contain one; compose takes credentials only from env files, which hold
// obviously-local placeholders; config files carry no credentials.
func TestNoInlineSecrets(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"k8s/base", "k8s/overlays/example", "k8s/overlays/no-keda"} {
		for key, obj := range k8sObjects(t, dir) {
			if obj["kind"] == "Secret" {
				t.Errorf("%s: %s inlines a Secret; create it out of band", dir, key)
			}
			pod := dig(obj, "spec", "template", "spec")
			for _, c := range append(asList(dig(pod, "containers")), asList(dig(pod, "initContainers"))...) {
				for _, e := range asList(dig(c, "env")) {
					name, _ := dig(e, "name").(string)
					if !secretLike.MatchString(name) {
						continue
					}
					if dig(e, "value") != nil || dig(e, "valueFrom", "secretKeyRef", "name") == nil {
						t.Errorf("%s %s: env %s must come from a secretKeyRef", dir, key, name)
					}
				}
				for _, a := range asList(dig(c, "args")) {
					if s, _ := a.(string); secretLike.MatchString(s) && !strings.HasPrefix(s, "$(") && !strings.HasPrefix(s, "--") {
						t.Errorf("%s %s: argument %q looks like a credential", dir, key, s)
					}
				}
			}
		}
	}
	for _, p := range []string{"config/config.yaml", "k8s/base/config.yaml"} {
		cfg, err := config.Load(p, nil)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if cfg.DatabaseURL != "" || cfg.RedisURL != "" || cfg.Asynqmon.BearerToken != "" || cfg.Asynqmon.ReadOnlyToken != "" {
			t.Errorf("%s carries credentials; they belong in env files or Secrets", p)
		}
	}
}
