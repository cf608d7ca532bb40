package deploy_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

func sharedCRD(t *testing.T, file string) string {
	t.Helper()
	return testkit.SharedPath(t, "testdata", "k8s-crds", file)
}

// objectsByKey renders dir and indexes its objects by "Kind/name".
func objectsByKey(t *testing.T, dir string) map[string]*object {
	t.Helper()
	out := map[string]*object{}
	for _, o := range kustomize(t, dir) {
		out[o.key()] = o
	}
	return out
}

// as decodes the object key of objs strictly into a T.
func as[T any](t *testing.T, objs map[string]*object, key string) *T {
	t.Helper()
	o := objs[key]
	if o == nil {
		t.Fatalf("no %s", key)
	}
	js, err := json.Marshal(o.m)
	if err != nil {
		t.Fatal(err)
	}
	v := new(T)
	if err := decodeStrict(js, v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return v
}

// scaledObject is the part of KEDA's ScaledObject the checks below read
// (the whole object is validated against KEDA's CRD schema elsewhere).
type scaledObject struct {
	Spec struct {
		ScaleTargetRef struct {
			APIVersion             string `json:"apiVersion"`
			Kind                   string `json:"kind"`
			Name                   string `json:"name"`
			EnvSourceContainerName string `json:"envSourceContainerName"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int `json:"minReplicaCount"`
		MaxReplicaCount *int `json:"maxReplicaCount"`
		Advanced        struct {
			ScalingModifiers struct {
				Formula    string `json:"formula"`
				Target     string `json:"target"`
				MetricType string `json:"metricType"`
			} `json:"scalingModifiers"`
		} `json:"advanced"`
		Triggers []struct {
			Type              string            `json:"type"`
			Name              string            `json:"name"`
			Metadata          map[string]string `json:"metadata"`
			AuthenticationRef struct {
				Name string `json:"name"`
			} `json:"authenticationRef"`
		} `json:"triggers"`
	} `json:"spec"`
}

func decodeScaledObject(t *testing.T, o *object) *scaledObject {
	t.Helper()
	js, _ := json.Marshal(o.m)
	var so scaledObject
	if err := json.Unmarshal(js, &so); err != nil {
		t.Fatalf("%s: %v", o.key(), err)
	}
	return &so
}

// TestScaledObject: KEDA scales the worker Deployment on the pending list of
// exactly the queues package tasks defines (tasks.AllQueues: the blocks
// queue, and the eval and notify queue of every tier), summed by one
// formula; renaming or adding a queue fails here until keda.yaml follows.
func TestScaledObject(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"k8s/base", "k8s/overlays/example"} {
		objs := objectsByKey(t, dir)
		o := objs["ScaledObject/ozmon-worker"]
		if o == nil {
			t.Fatalf("%s: no ScaledObject ozmon-worker", dir)
		}
		// Both objects are validated against KEDA's CRD schemas by
		// TestManifestsDecodeStrictly; this test needs no CRD files.
		if objs["TriggerAuthentication/ozmon-redis"] == nil {
			t.Fatalf("%s: no TriggerAuthentication ozmon-redis", dir)
		}
		so := decodeScaledObject(t, o)
		spec := so.Spec
		if spec.MinReplicaCount == nil || *spec.MinReplicaCount < 1 {
			t.Errorf("%s: minReplicaCount %v: must be set and >= 1 (retries and scheduled tasks are forwarded only by running workers)", dir, spec.MinReplicaCount)
		}
		if spec.MaxReplicaCount == nil || spec.MinReplicaCount == nil || *spec.MaxReplicaCount < *spec.MinReplicaCount {
			t.Errorf("%s: maxReplicaCount %v below minReplicaCount", dir, spec.MaxReplicaCount)
		}

		// The target is the worker Deployment, whose named container has
		// the env the triggers read.
		ref := spec.ScaleTargetRef
		if ref.Name != "ozmon-worker" || ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" {
			t.Fatalf("%s: scaleTargetRef %+v is not the worker Deployment", dir, ref)
		}
		dep := as[appsv1.Deployment](t, objs, "Deployment/ozmon-worker")
		envs := map[string]corev1.EnvVar{}
		for _, c := range dep.Spec.Template.Spec.Containers {
			if c.Name == ref.EnvSourceContainerName {
				for _, e := range c.Env {
					envs[e.Name] = e
				}
			}
		}
		if len(envs) == 0 {
			t.Errorf("%s: envSourceContainerName %q names no container with env", dir, ref.EnvSourceContainerName)
		}

		pendingRE := regexp.MustCompile(`^asynq:\{([a-z0-9-]+)\}:pending$`)
		var queues, names []string
		for i, tr := range spec.Triggers {
			where := fmt.Sprintf("%s trigger %d (%s)", dir, i, tr.Name)
			if tr.Type != "redis" {
				t.Errorf("%s: type %q, want redis", where, tr.Type)
			}
			names = append(names, tr.Name)
			m := pendingRE.FindStringSubmatch(tr.Metadata["listName"])
			if m == nil {
				t.Errorf("%s: listName %q is not an asynq pending list (asynq:{<queue>}:pending)", where, tr.Metadata["listName"])
				continue
			}
			queues = append(queues, m[1])
			if tr.Metadata["listLength"] == "" {
				t.Errorf("%s: listLength is required", where)
			}
			if tr.Metadata["databaseIndex"] != "0" {
				t.Errorf("%s: databaseIndex %q, want \"0\" (asynq's database)", where, tr.Metadata["databaseIndex"])
			}
			env := tr.Metadata["addressFromEnv"]
			if e, ok := envs[env]; !ok || e.Value == "" {
				t.Errorf("%s: addressFromEnv %q is not a plain env var of container %s", where, env, ref.EnvSourceContainerName)
			}
			if objs["TriggerAuthentication/"+tr.AuthenticationRef.Name] == nil {
				t.Errorf("%s: authenticationRef %q does not exist", where, tr.AuthenticationRef.Name)
			}
		}
		want := slices.Clone(tasks.AllQueues())
		if !slices.Contains(want, tasks.QueueBlocks) {
			want = append(want, tasks.QueueBlocks) // workers drain it too
		}
		sort.Strings(want)
		sort.Strings(queues)
		if !slices.Equal(queues, want) {
			t.Errorf("%s: triggers watch the pending lists of %v, want exactly tasks.AllQueues() %v", dir, queues, want)
		}

		// The formula sums every trigger, each once, and nothing else.
		sm := spec.Advanced.ScalingModifiers
		if sm.Target == "" || sm.MetricType != "AverageValue" {
			t.Errorf("%s: scalingModifiers target %q metricType %q: want a target per replica (AverageValue)", dir, sm.Target, sm.MetricType)
		}
		var terms []string
		for _, term := range strings.Split(sm.Formula, "+") {
			terms = append(terms, strings.TrimSpace(term))
		}
		sort.Strings(terms)
		sort.Strings(names)
		if !slices.Equal(terms, names) {
			t.Errorf("%s: formula %q must be the sum of the trigger names %v, each once", dir, sm.Formula, names)
		}
		if len(slices.Compact(slices.Clone(names))) != len(names) {
			t.Errorf("%s: trigger names %v are not unique", dir, names)
		}
	}
}

// TestTriggerAuthentication: the KEDA scaler authenticates to Redis with
// the password Secret the Redis StatefulSet uses.
func TestTriggerAuthentication(t *testing.T) {
	t.Parallel()
	objs := objectsByKey(t, "k8s/base")
	ta := objs["TriggerAuthentication/ozmon-redis"]
	if ta == nil {
		t.Fatal("no TriggerAuthentication ozmon-redis")
	}
	ref := dig(ta.m, "spec", "secretTargetRef", 0)
	if dig(ref, "parameter") != "password" {
		t.Errorf("secretTargetRef %v does not set the password", ref)
	}
	redis := as[appsv1.StatefulSet](t, objs, "StatefulSet/ozmon-redis")
	var found bool
	for _, e := range redis.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "REDIS_PASSWORD" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			sk := e.ValueFrom.SecretKeyRef
			found = sk.Name == dig(ref, "name") && sk.Key == dig(ref, "key")
		}
	}
	if !found {
		t.Errorf("TriggerAuthentication reads %v/%v; Redis takes its password from another Secret key", dig(ref, "name"), dig(ref, "key"))
	}
}

func TestWorkerDeployment(t *testing.T) {
	t.Parallel()
	objs := objectsByKey(t, "k8s/base")
	dep := as[appsv1.Deployment](t, objs, "Deployment/ozmon-worker")
	cm := as[corev1.ConfigMap](t, objs, "ConfigMap/ozmon-config")
	if cm.Data["config.yaml"] == "" {
		t.Fatal("ConfigMap ozmon-config has no config.yaml")
	}
	cfg, err := config.Load(filepath.Join("k8s", "base", "config.yaml"), nil)
	if err != nil {
		t.Fatalf("k8s/base/config.yaml: %v", err)
	}
	pod := dep.Spec.Template.Spec
	// A stopping worker waits for sends (the longer of shutdown_timeout and
	// send_timeout + 5 s), then as long again for handlers to return.
	stop := int64(2 * max(cfg.Worker.ShutdownTimeout.D(), cfg.Notify.SendTimeout.D()+5*time.Second).Seconds())
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g <= stop {
		t.Errorf("terminationGracePeriodSeconds %v must exceed a worker's longest stop (%ds)", g, stop)
	}
	if dep.Spec.Replicas != nil {
		t.Error("worker Deployment sets replicas; KEDA or the HPA owns them")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("worker has %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if !slices.Equal(c.Args, []string{"worker"}) {
		t.Errorf("worker args %v", c.Args)
	}
	var metricsPort bool
	for _, p := range c.Ports {
		metricsPort = metricsPort || (p.Name == "metrics" && p.ContainerPort == 3000)
	}
	if !metricsPort {
		t.Error("worker has no port metrics:3000")
	}
	for _, pr := range []struct {
		probe *corev1.Probe
		want  string
	}{{c.ReadinessProbe, "/readyz"}, {c.LivenessProbe, "/healthz"}} {
		probe, want := pr.probe, pr.want
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want || probe.HTTPGet.Port.String() != "metrics" {
			t.Errorf("probe %+v: want GET %s on metrics (3000)", probe, want)
		}
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Error("worker memory request or limit unset")
	}
	// The config the pods mount is the generated ConfigMap.
	var mounted bool
	for _, v := range pod.Volumes {
		mounted = mounted || (v.ConfigMap != nil && v.ConfigMap.Name == "ozmon-config")
	}
	if !mounted {
		t.Error("worker does not mount ConfigMap ozmon-config")
	}

	sched := as[appsv1.Deployment](t, objs, "Deployment/ozmon-scheduler")
	if sched.Spec.Replicas == nil || *sched.Spec.Replicas != 2 {
		t.Error("scheduler Deployment should run 2 replicas")
	}
	redis := as[appsv1.StatefulSet](t, objs, "StatefulSet/ozmon-redis")
	if redis.Spec.Replicas == nil || *redis.Spec.Replicas != 1 {
		t.Error("redis StatefulSet must be a single primary")
	}
	if args := strings.Join(redis.Spec.Template.Spec.Containers[0].Args, " "); !strings.Contains(args, "--maxmemory-policy noeviction") {
		t.Errorf("redis args %q lack --maxmemory-policy noeviction", args)
	}
	pm := as[monitoringv1.PodMonitor](t, objs, "PodMonitor/ozmon")
	if len(pm.Spec.PodMetricsEndpoints) == 0 || pm.Spec.PodMetricsEndpoints[0].Port == nil || *pm.Spec.PodMetricsEndpoints[0].Port != "metrics" {
		t.Error("PodMonitor does not scrape the metrics port")
	}
	// The PodMonitor selects the scheduler and worker pods.
	for _, key := range []string{"Deployment/ozmon-worker", "Deployment/ozmon-scheduler"} {
		labels := as[appsv1.Deployment](t, objs, key).Spec.Template.Labels
		ok := labels["app.kubernetes.io/name"] == pm.Spec.Selector.MatchLabels["app.kubernetes.io/name"]
		for _, e := range pm.Spec.Selector.MatchExpressions {
			ok = ok && slices.Contains(e.Values, labels[e.Key])
		}
		if !ok {
			t.Errorf("PodMonitor selector does not select %s (labels %v)", key, labels)
		}
	}
}

// TestNoKedaOverlay: without KEDA the workers get a plain HPA, and nothing
// of KEDA is left.
func TestNoKedaOverlay(t *testing.T) {
	t.Parallel()
	objs := objectsByKey(t, "k8s/overlays/no-keda")
	for key, o := range objs {
		if o.group() == "keda.sh" {
			t.Errorf("no-keda overlay still has %s", key)
		}
	}
	hpa := as[autoscalingv2.HorizontalPodAutoscaler](t, objs, "HorizontalPodAutoscaler/ozmon-worker")
	ref := hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.Name != "ozmon-worker" || ref.APIVersion != "apps/v1" || objs["Deployment/"+ref.Name] == nil {
		t.Errorf("HPA scaleTargetRef %+v is not the worker Deployment", ref)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 1 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
		t.Errorf("HPA replicas %v..%d", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	// Resource-utilisation targets need requests on the worker container.
	c := as[appsv1.Deployment](t, objs, "Deployment/ozmon-worker").Spec.Template.Spec.Containers[0]
	for _, m := range hpa.Spec.Metrics {
		if m.Resource != nil && c.Resources.Requests.Name(m.Resource.Name, "").IsZero() {
			t.Errorf("HPA scales on %s utilisation but the worker requests none", m.Resource.Name)
		}
	}
}

// TestExampleOverlay: the example overlay's patches land where intended.
func TestExampleOverlay(t *testing.T) {
	t.Parallel()
	objs := objectsByKey(t, "k8s/overlays/example")
	so := decodeScaledObject(t, objs["ScaledObject/ozmon-worker"])
	if so.Spec.MinReplicaCount == nil || *so.Spec.MinReplicaCount != 2 || so.Spec.MaxReplicaCount == nil || *so.Spec.MaxReplicaCount != 40 {
		t.Errorf("example ScaledObject replicas %v..%v, want 2..40", so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount)
	}
	for _, key := range []string{"Deployment/ozmon-worker", "Deployment/ozmon-scheduler", "Deployment/ozmon-asynqmon"} {
		pod := as[appsv1.Deployment](t, objs, key).Spec.Template.Spec
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			if c.Image != "registry.example.com/ozmon/ozmon:v0.1.0" {
				t.Errorf("%s container %s: image %q not retagged", key, c.Name, c.Image)
			}
		}
	}
	w := as[appsv1.Deployment](t, objs, "Deployment/ozmon-worker").Spec.Template.Spec.Containers[0]
	if w.Resources.Limits.Memory().String() != "2Gi" {
		t.Errorf("example worker memory limit %v, want 2Gi", w.Resources.Limits.Memory())
	}
}

// secretLike names environment variables whose values are credentials.
var secretLike = regexp.MustCompile(`(?i)password|passwd|token|secret|database_url|redis_url|api_key|credential`)

// TestNoInlineSecrets: Kubernetes manifests reference Secrets and never
// contain one; config files carry no credentials.
func TestNoInlineSecrets(t *testing.T) {
	t.Parallel()
	for _, dir := range kustomizeDirs {
		for key, o := range objectsByKey(t, dir) {
			if o.kind() == "Secret" {
				t.Errorf("%s: %s inlines a Secret; create it out of band", dir, key)
			}
			if dig(o.m, "spec", "template", "spec") == nil {
				continue
			}
			var pod corev1.PodSpec
			js, _ := json.Marshal(dig(o.m, "spec", "template", "spec"))
			if err := json.Unmarshal(js, &pod); err != nil {
				t.Fatalf("%s %s: %v", dir, key, err)
			}
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				for _, e := range c.Env {
					if !secretLike.MatchString(e.Name) {
						continue
					}
					if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
						t.Errorf("%s %s: env %s must come from a secretKeyRef", dir, key, e.Name)
					}
				}
				for _, a := range append(slices.Clone(c.Command), c.Args...) {
					if secretLike.MatchString(a) && !strings.HasPrefix(a, "$(") && !strings.HasPrefix(a, "--") {
						t.Errorf("%s %s: argument %q looks like a credential", dir, key, a)
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
