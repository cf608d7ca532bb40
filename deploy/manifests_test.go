package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// This file renders the kustomizations of k8s/ the way kustomize would (for
// the subset of kustomize they use: resources, namespace, labels,
// configMapGenerator, images, replicas, JSON 6902 patches and
// "$patch: delete"), so that the objects an overlay produces are checked,
// not only the files. A kustomization using anything else fails to decode
// (unknown field) and the subset must be extended. The rendering was
// compared by hand with `kustomize build` (deploy/README.md).

// object is one Kubernetes object in its JSON form.
type object struct {
	source string // file#document, or the generator that made it
	m      map[string]any
}

func (o *object) str(path ...any) string { s, _ := dig(o.m, path...).(string); return s }
func (o *object) apiVersion() string     { return o.str("apiVersion") }
func (o *object) kind() string           { return o.str("kind") }
func (o *object) name() string           { return o.str("metadata", "name") }
func (o *object) key() string            { return o.kind() + "/" + o.name() }

// group returns the API group of the object ("" for the core group).
func (o *object) group() string {
	g, _, ok := strings.Cut(o.apiVersion(), "/")
	if !ok {
		return ""
	}
	return g
}

func (o *object) version() string {
	v := o.apiVersion()
	return v[strings.LastIndex(v, "/")+1:]
}

// kustomization is the subset of kustomize's Kustomization that deploy/k8s
// uses. It is decoded strictly: any other field fails the test.
type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors"`
		IncludeTemplates bool              `json:"includeTemplates"`
	} `json:"labels,omitempty"`
	Resources          []string `json:"resources,omitempty"`
	ConfigMapGenerator []struct {
		Name  string   `json:"name"`
		Files []string `json:"files"`
	} `json:"configMapGenerator,omitempty"`
	Images []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
	Replicas []struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	} `json:"replicas,omitempty"`
	Patches []struct {
		Path   string `json:"path,omitempty"`
		Patch  string `json:"patch,omitempty"`
		Target *struct {
			Group   string `json:"group,omitempty"`
			Version string `json:"version,omitempty"`
			Kind    string `json:"kind,omitempty"`
			Name    string `json:"name,omitempty"`
		} `json:"target,omitempty"`
	} `json:"patches,omitempty"`
}

// kustomizeDirs are the kustomizations an operator applies.
var kustomizeDirs = []string{"k8s/base", "k8s/overlays/example", "k8s/overlays/no-keda"}

// splitYAML returns each non-empty document of a YAML stream as its own
// YAML text.
func splitYAML(data []byte) ([][]byte, error) {
	var docs [][]byte
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue
		}
		out, err := yaml.Marshal(&n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, out)
	}
}

// toJSONMap converts one YAML document to its JSON form, refusing
// duplicate keys.
func toJSONMap(doc []byte) (map[string]any, error) {
	js, err := sigsyaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// kustomize renders dir (afresh for each caller, who may change it).
func kustomize(t *testing.T, dir string) []*object {
	t.Helper()
	objs, err := render(dir)
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	return objs
}

func render(dir string) ([]*object, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k kustomization
	if err := sigsyaml.UnmarshalStrict(raw, &k); err != nil {
		return nil, fmt.Errorf("kustomization.yaml (a field this test's kustomize subset does not know?): %w", err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		return nil, fmt.Errorf("kustomization.yaml is %s %s, want kustomize.config.k8s.io/v1beta1 Kustomization", k.APIVersion, k.Kind)
	}
	var objs []*object
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", r, err)
		}
		if fi.IsDir() {
			sub, err := render(p)
			if err != nil {
				return nil, err
			}
			objs = append(objs, sub...)
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		docs, err := splitYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for i, d := range docs {
			m, err := toJSONMap(d)
			if err != nil {
				return nil, fmt.Errorf("%s#%d: %w", p, i, err)
			}
			objs = append(objs, &object{source: fmt.Sprintf("%s#%d", p, i), m: m})
		}
	}
	for _, g := range k.ConfigMapGenerator {
		data := map[string]any{}
		for _, f := range g.Files {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return nil, fmt.Errorf("configMapGenerator %s: %w", g.Name, err)
			}
			data[filepath.Base(f)] = string(b)
		}
		objs = append(objs, &object{source: dir + " configMapGenerator " + g.Name, m: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": g.Name}, "data": data,
		}})
	}
	for _, p := range k.Patches {
		text := p.Patch
		if p.Path != "" {
			b, err := os.ReadFile(filepath.Join(dir, p.Path))
			if err != nil {
				return nil, err
			}
			text = string(b)
		}
		js, err := sigsyaml.YAMLToJSONStrict([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("patch: %w", err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(js), []byte("[")) {
			if p.Target == nil {
				return nil, errors.New("a JSON 6902 patch without target")
			}
			var ops []jsonPatchOp
			dec := json.NewDecoder(bytes.NewReader(js))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ops); err != nil {
				return nil, fmt.Errorf("JSON 6902 patch: %w", err)
			}
			matched := 0
			for _, o := range objs {
				tg := p.Target
				if (tg.Kind != "" && tg.Kind != o.kind()) || (tg.Name != "" && tg.Name != o.name()) ||
					(tg.Group != "" && tg.Group != o.group()) || (tg.Version != "" && tg.Version != o.version()) {
					continue
				}
				matched++
				for _, op := range ops {
					if err := op.apply(o.m); err != nil {
						return nil, fmt.Errorf("patch %s on %s: %w", op.Path, o.key(), err)
					}
				}
			}
			if matched == 0 {
				return nil, fmt.Errorf("patch target %+v matches no object", *p.Target)
			}
			continue
		}
		// A strategic-merge patch: only deletions are used here.
		var sm map[string]any
		if err := json.Unmarshal(js, &sm); err != nil {
			return nil, err
		}
		if sm["$patch"] != "delete" {
			return nil, fmt.Errorf("strategic-merge patch %v: only $patch: delete is understood by this test", sm)
		}
		del := &object{m: sm}
		n := len(objs)
		objs = slices.DeleteFunc(objs, func(o *object) bool {
			return o.apiVersion() == del.apiVersion() && o.kind() == del.kind() && o.name() == del.name()
		})
		if len(objs) == n {
			return nil, fmt.Errorf("$patch: delete of %s matches no object", del.key())
		}
	}
	for _, r := range k.Replicas {
		matched := false
		for _, o := range objs {
			if o.name() == r.Name && slices.Contains([]string{"Deployment", "StatefulSet", "ReplicaSet"}, o.kind()) {
				o.m["spec"].(map[string]any)["replicas"] = float64(r.Count)
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("replicas: no workload named %s", r.Name)
		}
	}
	for _, img := range k.Images {
		for _, o := range objs {
			pod, _ := dig(o.m, "spec", "template", "spec").(map[string]any)
			for _, c := range append(asList(pod["containers"]), asList(pod["initContainers"])...) {
				c := c.(map[string]any)
				name, _ := c["image"].(string)
				if i := strings.IndexAny(name, ":@"); i >= 0 {
					name = name[:i]
				}
				if name != img.Name {
					continue
				}
				if img.NewName != "" {
					name = img.NewName
				}
				if img.NewTag != "" {
					name += ":" + img.NewTag
				}
				c["image"] = name
			}
		}
	}
	for _, l := range k.Labels {
		if l.IncludeSelectors || l.IncludeTemplates {
			return nil, errors.New("labels with includeSelectors/includeTemplates: not in this test's kustomize subset")
		}
		for _, o := range objs {
			meta := o.m["metadata"].(map[string]any)
			labels, _ := meta["labels"].(map[string]any)
			if labels == nil {
				labels = map[string]any{}
				meta["labels"] = labels
			}
			for k, v := range l.Pairs {
				labels[k] = v
			}
		}
	}
	if k.Namespace != "" {
		for _, o := range objs {
			if o.kind() != "Namespace" {
				o.m["metadata"].(map[string]any)["namespace"] = k.Namespace
			}
		}
	}
	return objs, nil
}

// jsonPatchOp is one RFC 6902 operation (add, replace, remove).
type jsonPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

func (op jsonPatchOp) apply(doc map[string]any) error {
	if !strings.HasPrefix(op.Path, "/") {
		return fmt.Errorf("path %q is not a JSON pointer", op.Path)
	}
	toks := strings.Split(op.Path[1:], "/")
	for i, tk := range toks {
		toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(tk)
	}
	var parent any = doc
	for _, tk := range toks[:len(toks)-1] {
		switch p := parent.(type) {
		case map[string]any:
			v, ok := p[tk]
			if !ok {
				return fmt.Errorf("no %q", tk)
			}
			parent = v
		case []any:
			i, err := strconv.Atoi(tk)
			if err != nil || i < 0 || i >= len(p) {
				return fmt.Errorf("no index %q", tk)
			}
			parent = p[i]
		default:
			return fmt.Errorf("%q: not a container", tk)
		}
	}
	last := toks[len(toks)-1]
	switch p := parent.(type) {
	case map[string]any:
		_, exists := p[last]
		switch op.Op {
		case "add":
			p[last] = op.Value
		case "replace":
			if !exists {
				return fmt.Errorf("replace: no %q", last)
			}
			p[last] = op.Value
		case "remove":
			if !exists {
				return fmt.Errorf("remove: no %q", last)
			}
			delete(p, last)
		default:
			return fmt.Errorf("op %q is not in this test's subset", op.Op)
		}
		return nil
	case []any:
		// Arrays would need their parent rewritten; the patches here only
		// replace elements in place.
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) || op.Op != "replace" {
			return fmt.Errorf("%s at array index %q is not in this test's subset", op.Op, last)
		}
		p[i] = op.Value
		return nil
	}
	return fmt.Errorf("parent of %q is not a container", last)
}

// typedKinds maps apiVersion/kind to the Go type the API server (or the
// Prometheus Operator) decodes it into.
var typedKinds = map[string]func() any{
	"v1/Namespace":                             func() any { return &corev1.Namespace{} },
	"v1/Service":                               func() any { return &corev1.Service{} },
	"v1/ConfigMap":                             func() any { return &corev1.ConfigMap{} },
	"v1/ServiceAccount":                        func() any { return &corev1.ServiceAccount{} },
	"v1/Secret":                                func() any { return &corev1.Secret{} },
	"apps/v1/Deployment":                       func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                      func() any { return &appsv1.StatefulSet{} },
	"autoscaling/v2/HorizontalPodAutoscaler":   func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":            func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":       func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/Ingress":             func() any { return &networkingv1.Ingress{} },
	"rbac.authorization.k8s.io/v1/Role":        func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding": func() any { return &rbacv1.RoleBinding{} },
	"monitoring.coreos.com/v1/PodMonitor":      func() any { return &monitoringv1.PodMonitor{} },
	"monitoring.coreos.com/v1/ServiceMonitor":  func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule":  func() any { return &monitoringv1.PrometheusRule{} },
}

// crdKinds maps apiVersion/kind of custom resources checked against their
// CRD's OpenAPI schema to the CRD file in testdata/k8s-crds.
var crdKinds = map[string]string{
	"keda.sh/v1alpha1/ScaledObject":          "keda.sh_scaledobjects.yaml",
	"keda.sh/v1alpha1/TriggerAuthentication": "keda.sh_triggerauthentications.yaml",
}

// decodeStrict decodes js into v refusing unknown fields, then checks that
// every field of js survives a round trip through v: encoding/json matches
// field names case-insensitively, so "ContainerPort" would otherwise pass
// and be ignored by the API server.
func decodeStrict(js []byte, v any) error {
	if err := sigsyaml.UnmarshalStrict(js, v); err != nil {
		return err
	}
	back, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var orig, rt any
	if err := json.Unmarshal(js, &orig); err != nil {
		return err
	}
	if err := json.Unmarshal(back, &rt); err != nil {
		return err
	}
	return subset("", orig, rt)
}

// subset reports the first value of a that b lacks or holds differently.
func subset(path string, a, b any) error {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: decoded as %T", path, b)
		}
		keys := make([]string, 0, len(av))
		for k := range av {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			bvk, ok := bv[k]
			if !ok {
				if isEmpty(av[k]) {
					continue // an explicit empty value, omitted on output
				}
				return fmt.Errorf("%s.%s: field not known under this exact name (lost in decoding)", path, k)
			}
			if err := subset(path+"."+k, av[k], bvk); err != nil {
				return err
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(bv) != len(av) {
			return fmt.Errorf("%s: list changed in decoding", path)
		}
		for i := range av {
			if err := subset(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); err != nil {
				return err
			}
		}
	default:
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("%s: %v decodes as %v", path, a, b)
		}
	}
	return nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	}
	return false
}

// checkObject decodes o strictly into its typed form, or validates it
// against its CRD schema; it returns the typed object (nil for CRD kinds).
func checkObject(t *testing.T, o *object) any {
	t.Helper()
	js, err := json.Marshal(o.m)
	if err != nil {
		t.Fatal(err)
	}
	gvk := o.apiVersion() + "/" + o.kind()
	if newT, ok := typedKinds[gvk]; ok {
		v := newT()
		if err := decodeStrict(js, v); err != nil {
			t.Errorf("%s (%s): %v", o.key(), o.source, err)
		}
		return v
	}
	if file, ok := crdKinds[gvk]; ok {
		for _, e := range crdErrors(t, sharedCRD(t, file), o.m) {
			t.Errorf("%s (%s): %s", o.key(), o.source, e)
		}
		return nil
	}
	t.Errorf("%s (%s): no strict decoder for %s; add its type to typedKinds or its CRD to crdKinds", o.key(), o.source, gvk)
	return nil
}

// TestManifestsDecodeStrictly renders every kustomization and decodes each
// object strictly: core and apps objects into k8s.io/api types, Prometheus
// Operator objects into its monitoring/v1 types, KEDA objects against
// KEDA's CRD schemas. Every manifest file is part of some kustomization.
func TestManifestsDecodeStrictly(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, dir := range kustomizeDirs {
		objs := kustomize(t, dir)
		keys := map[string]bool{}
		for _, o := range objs {
			if keys[o.key()] {
				t.Errorf("%s: %s defined twice", dir, o.key())
			}
			keys[o.key()] = true
			if o.name() == "" || o.kind() == "" {
				t.Errorf("%s: %s has no kind or name", dir, o.source)
				continue
			}
			if o.kind() != "Namespace" && dig(o.m, "metadata", "namespace") != "ozmon" {
				t.Errorf("%s: %s is not placed in namespace ozmon", dir, o.key())
			}
			if file, _, ok := strings.Cut(o.source, "#"); ok {
				seen[filepath.ToSlash(file)] = true
			}
			// A subtest each, so a failure names the object.
			t.Run(dir+"/"+o.key(), func(t *testing.T) { checkObject(t, o) })
		}
		if len(objs) < 5 {
			t.Errorf("%s renders only %d objects", dir, len(objs))
		}
	}
	// No manifest lies around unused.
	err := filepath.WalkDir("k8s", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isYAML(p) || d.Name() == "kustomization.yaml" || d.Name() == "config.yaml" {
			return err
		}
		if !seen[filepath.ToSlash(p)] {
			t.Errorf("%s is in no kustomization's resources", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStrictDecodingRejects makes sure the decoders can fail: a typo'd, a
// mis-cased and a mistyped field are each refused.
func TestStrictDecodingRejects(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"unknown field":    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n",
		"mis-cased field":  "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{Port: 80}]\n",
		"wrong type":       "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec:\n  replicas: \"1\"\n",
		"duplicate key":    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\ndata: {c: d}\n",
		"monitoring typo":  "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: x}\nspec:\n  podMetricsEndpoint: [{port: metrics}]\n",
		"rule annotations": "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups: [{name: g, rules: [{alert: A, expr: up, anotations: {}}]}]\n",
	} {
		m, err := toJSONMap([]byte(doc))
		if err != nil {
			if name == "duplicate key" {
				continue
			}
			t.Fatalf("%s: %v", name, err)
		}
		if name == "duplicate key" {
			t.Errorf("duplicate key: accepted")
			continue
		}
		o := &object{m: m}
		js, _ := json.Marshal(m)
		if err := decodeStrict(js, typedKinds[o.apiVersion()+"/"+o.kind()]()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
