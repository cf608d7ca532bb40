package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// exportedMetrics are the series ozmon exports (internal/metrics: metrics.go
// and the queue collector in queues.go). Histograms are listed by their
// family name; _bucket, _sum and _count are derived.
func exportedMetrics() map[string]bool {
	return map[string]bool{
		"oz_monitor_worker_count":                      true,
		"oz_monitor_tenant_count":                      true,
		"oz_monitor_rpc_calls_total":                   true,
		"oz_monitor_cache_requests_total":              true,
		"oz_monitor_cache_hits_total":                  true,
		"oz_monitor_cache_misses_total":                true,
		"oz_monitor_block_processing_duration_seconds": true,
		"oz_monitor_blocks_behind":                     true,
		"oz_monitor_ledgers_enqueued_total":            true,
		"oz_monitor_ledgers_skipped_total":             true,
		"oz_monitor_ledger_to_delivery_seconds":        true,
		"oz_monitor_matches_total":                     true,
		"oz_monitor_deliveries_total":                  true,
		"oz_monitor_tenant_config_errors_total":        true,
		"oz_monitor_tenant_evaluations_total":          true,
		"oz_monitor_tenant_matches_total":              true,
		"oz_monitor_tenant_deliveries_total":           true,
		"oz_monitor_tenant_script_milliseconds_total":  true,
		"oz_monitor_queue_size":                        true,
		"oz_monitor_queue_latency_seconds":             true,
		"oz_monitor_queue_scrape_errors":               true,
	}
}

var (
	ozMetricRE    = regexp.MustCompile(`\boz_monitor_[a-z0-9_]+`)
	asynqMetricRE = regexp.MustCompile(`\basynq_[a-z0-9_]+`)
)

// metricNames returns the oz_monitor_* names a PromQL expression uses, with
// histogram suffixes folded onto their family.
func metricNames(expr string) []string {
	known := exportedMetrics()
	var out []string
	for _, m := range ozMetricRE.FindAllString(expr, -1) {
		if !known[m] {
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(m, suf); ok && known[base] {
					m = base
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// checkExpr reports unknown metric names and unbalanced brackets in a PromQL
// expression (a cheap stand-in for a parser, which would pull Prometheus into
// go.mod).
func checkExpr(t *testing.T, where, expr string) {
	t.Helper()
	if strings.TrimSpace(expr) == "" {
		t.Errorf("%s: empty expression", where)
		return
	}
	known := exportedMetrics()
	for _, m := range metricNames(expr) {
		if !known[m] {
			t.Errorf("%s: metric %s is not exported by ozmon (expr %q)", where, m, expr)
		}
	}
	if m := asynqMetricRE.FindString(expr); m != "" {
		t.Errorf("%s: uses %s, which ozmon does not export (use oz_monitor_queue_*)", where, m)
	}
	var stack []rune
	pair := map[rune]rune{')': '(', ']': '[', '}': '{'}
	inStr := false
	for _, r := range expr {
		switch {
		case r == '"':
			inStr = !inStr
		case inStr:
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case r == ')' || r == ']' || r == '}':
			if len(stack) == 0 || stack[len(stack)-1] != pair[r] {
				t.Errorf("%s: unbalanced %q in %q", where, r, expr)
				return
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 || inStr {
		t.Errorf("%s: unclosed bracket or string in %q", where, expr)
	}
}

// yamlDocs parses every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

func yamlDoc(t *testing.T, path string) map[string]any {
	t.Helper()
	docs := yamlDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d YAML documents, want 1", path, len(docs))
	}
	return docs[0]
}

// k8sObjects returns every manifest under dir, keyed "Kind/name", skipping
// kustomization files.
func k8sObjects(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isYAML(p) || filepath.Base(p) == "kustomization.yaml" || filepath.Base(p) == "config.yaml" {
			return err
		}
		for _, doc := range yamlDocs(t, p) {
			kind, _ := doc["kind"].(string)
			name, _ := dig(doc, "metadata", "name").(string)
			if kind == "" || name == "" {
				t.Errorf("%s: a document without kind or metadata.name", p)
				continue
			}
			out[kind+"/"+name] = doc
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isYAML(p string) bool {
	ext := filepath.Ext(p)
	return ext == ".yaml" || ext == ".yml"
}

// dig walks nested maps (string keys) and lists (int keys).
func dig(v any, path ...any) any {
	for _, k := range path {
		switch key := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		case int:
			l, ok := v.([]any)
			if !ok || key >= len(l) {
				return nil
			}
			v = l[key]
		}
	}
	return v
}

// TestEveryFileParses walks deploy/ and parses every YAML and JSON file.
func TestEveryFileParses(t *testing.T) {
	t.Parallel()
	var n int
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch {
		case isYAML(p):
			n++
			if docs := yamlDocs(t, p); len(docs) == 0 {
				t.Errorf("%s: no YAML document", p)
			}
		case filepath.Ext(p) == ".json":
			n++
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !json.Valid(data) {
				t.Errorf("%s: invalid JSON", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("parsed only %d YAML/JSON files; is the walk in deploy/?", n)
	}
}

// TestKustomizationsResolve checks that every resource, patch target file and
// generator input a kustomization names exists, and that image names match
// the containers' placeholder.
func TestKustomizationsResolve(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"k8s/base", "k8s/overlays/example", "k8s/overlays/no-keda"} {
		k := yamlDoc(t, filepath.Join(dir, "kustomization.yaml"))
		if k["kind"] != "Kustomization" || k["apiVersion"] != "kustomize.config.k8s.io/v1beta1" {
			t.Errorf("%s: not a v1beta1 Kustomization", dir)
		}
		var refs []string
		for _, r := range asList(k["resources"]) {
			refs = append(refs, r.(string))
		}
		for _, g := range asList(k["configMapGenerator"]) {
			for _, f := range asList(dig(g, "files")) {
				refs = append(refs, f.(string))
			}
		}
		if len(refs) == 0 {
			t.Errorf("%s: no resources", dir)
		}
		for _, r := range refs {
			if _, err := os.Stat(filepath.Join(dir, r)); err != nil {
				t.Errorf("%s: %s does not exist", dir, r)
			}
		}
		for _, img := range asList(k["images"]) {
			if dig(img, "name") != "ghcr.io/ozmon/ozmon" {
				t.Errorf("%s: image entry %v does not retag ghcr.io/ozmon/ozmon", dir, img)
			}
		}
	}
	// Every ozmon container uses the image name the images: entries retag.
	for key, obj := range k8sObjects(t, "k8s/base") {
		for _, c := range append(asList(dig(obj, "spec", "template", "spec", "containers")), asList(dig(obj, "spec", "template", "spec", "initContainers"))...) {
			img, _ := dig(c, "image").(string)
			if !strings.HasPrefix(img, "redis:") && img != "ghcr.io/ozmon/ozmon" {
				t.Errorf("%s: container image %q, want ghcr.io/ozmon/ozmon (tagged by kustomize)", key, img)
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{
		"FROM golang:1.26 AS build",
		"CGO_ENABLED=0 go build -trimpath -o /out/ozmon ./cmd/ozmon",
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"USER 65532:65532",
		`ENTRYPOINT ["/ozmon"]`,
		"EXPOSE 3000 8080",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	ignore, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ignore), "\n")
	for _, want := range []string{".git", "**/*.env"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
}
