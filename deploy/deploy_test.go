package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// exportedMetrics are the metric families ozmon registers by default (no
// per-tenant series): every collector of a metrics.New() and the queue collector the scheduler registers,
// read from their descriptors (so a renamed metric fails the dashboard and
// alert checks). Histograms are listed by their family name; _bucket, _sum
// and _count are derived.
func exportedMetrics() map[string]bool {
	m := metrics.New()
	// Describe never touches the inspector, so none is needed here.
	cs := []prometheus.Collector{metrics.NewQueueCollector(nil, nil)}
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && f.IsNil() {
			continue // per-tenant series, off by default
		}
		if c, ok := v.Field(i).Interface().(prometheus.Collector); ok {
			cs = append(cs, c)
		}
	}
	names := map[string]bool{}
	for _, c := range cs {
		ch := make(chan *prometheus.Desc)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			if n := fqNameRE.FindStringSubmatch(d.String()); n != nil {
				names[n[1]] = true
			}
		}
	}
	return names
}

// fqNameRE reads the name out of a prometheus.Desc's String form, which is
// the only place the Desc shows it.
var fqNameRE = regexp.MustCompile(`fqName: "([^"]+)"`)

// TestExportedMetricsAreRead guards exportedMetrics against a change of the
// Desc string format: it must find the seed names.
func TestExportedMetricsAreRead(t *testing.T) {
	t.Parallel()
	got := exportedMetrics()
	for _, want := range []string{"oz_monitor_worker_count", "oz_monitor_rpc_calls_total", "oz_monitor_block_processing_duration_seconds", "oz_monitor_queue_size", "oz_monitor_queue_latency_seconds"} {
		if !got[want] {
			t.Errorf("%s not found among %v", want, got)
		}
	}
	if len(got) < 20 {
		t.Errorf("only %d metric names: %v", len(got), got)
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

// TestImagesAreRetaggable: every ozmon container uses the image name the
// kustomizations' images: entries retag, and only that name is retagged.
func TestImagesAreRetaggable(t *testing.T) {
	t.Parallel()
	for _, dir := range kustomizeDirs {
		k := yamlDoc(t, filepath.Join(dir, "kustomization.yaml"))
		for _, img := range asList(k["images"]) {
			if dig(img, "name") != "ghcr.io/ozmon/ozmon" {
				t.Errorf("%s: image entry %v does not retag ghcr.io/ozmon/ozmon", dir, img)
			}
		}
	}
	for _, d := range []string{"k8s/base"} {
		raw := map[string]bool{}
		for _, f := range []string{"worker.yaml", "scheduler.yaml", "asynqmon.yaml", "api.yaml", "redis.yaml"} {
			for _, doc := range yamlDocs(t, filepath.Join(d, f)) {
				pod := dig(doc, "spec", "template", "spec")
				for _, c := range append(asList(dig(pod, "containers")), asList(dig(pod, "initContainers"))...) {
					img, _ := dig(c, "image").(string)
					raw[img] = true
					if !strings.HasPrefix(img, "redis:") && img != "ghcr.io/ozmon/ozmon" {
						t.Errorf("%s: container image %q, want ghcr.io/ozmon/ozmon (tagged by kustomize)", f, img)
					}
				}
			}
		}
		if !raw["ghcr.io/ozmon/ozmon"] {
			t.Error("no container uses ghcr.io/ozmon/ozmon")
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
