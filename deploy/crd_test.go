package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// crdSchemas caches compiled schemas by CRD file and apiVersion/kind.
var crdSchemas sync.Map // string -> *jsonschema.Schema

// crdSchema compiles the openAPIV3Schema that the CRD in file serves for
// apiVersion and kind. It fails the test if the CRD does not serve them.
//
// The schema is made strict the way the API server is lenient: an object
// schema that lists properties and neither allows additional properties
// nor sets x-kubernetes-preserve-unknown-fields gets
// additionalProperties: false. (The API server would silently prune such a
// field: a setting that does not take effect.) The other x-kubernetes-*
// keywords are ignored, and so are CEL rules (x-kubernetes-validations).
func crdSchema(t *testing.T, file, apiVersion, kind string) *jsonschema.Schema {
	t.Helper()
	key := file + "\x00" + apiVersion + "/" + kind
	if s, ok := crdSchemas.Load(key); ok {
		return s.(*jsonschema.Schema)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := splitYAML(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	group, version, _ := strings.Cut(apiVersion, "/")
	for _, d := range docs {
		js, err := sigsyaml.YAMLToJSON(d)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// jsonschema.UnmarshalJSON keeps numbers exact (json.Number).
		crd, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if dig(crd, "kind") != "CustomResourceDefinition" || dig(crd, "spec", "names", "kind") != kind || dig(crd, "spec", "group") != group {
			continue
		}
		for _, v := range asList(dig(crd, "spec", "versions")) {
			if dig(v, "name") != version {
				continue
			}
			if dig(v, "served") != true {
				t.Fatalf("%s: %s is not served", file, apiVersion)
			}
			schema, ok := dig(v, "schema", "openAPIV3Schema").(map[string]any)
			if !ok {
				t.Fatalf("%s: %s has no openAPIV3Schema", file, apiVersion)
			}
			closeObjects(schema)
			c := jsonschema.NewCompiler()
			// OpenAPI v3.0 schemas are closest to draft 4 (boolean
			// exclusiveMinimum and friends).
			c.DefaultDraft(jsonschema.Draft4)
			url := "file:///crd/" + strings.ReplaceAll(key, "\x00", "/") + ".json"
			if err := c.AddResource(url, schema); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			s, err := c.Compile(url)
			if err != nil {
				t.Fatalf("%s: compile the %s schema: %v", file, apiVersion, err)
			}
			crdSchemas.Store(key, s)
			return s
		}
		t.Fatalf("%s: the CRD of %s does not serve version %s", file, kind, version)
	}
	t.Fatalf("%s: no CRD for %s in group %s", file, kind, group)
	return nil
}

// closeObjects sets additionalProperties: false on every object schema that
// lists its properties and does not say unknown fields are kept.
func closeObjects(v any) {
	switch s := v.(type) {
	case map[string]any:
		_, hasProps := s["properties"]
		_, hasAddl := s["additionalProperties"]
		if hasProps && !hasAddl && s["x-kubernetes-preserve-unknown-fields"] != true {
			s["additionalProperties"] = false
		}
		for _, sub := range s {
			closeObjects(sub)
		}
	case []any:
		for _, sub := range s {
			closeObjects(sub)
		}
	}
}

// crdErrors validates obj (JSON form) against its CRD in file: the schema,
// and metadata strictly as an ObjectMeta (the schema leaves it free-form).
func crdErrors(t *testing.T, file string, obj map[string]any) []string {
	t.Helper()
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	s := crdSchema(t, file, apiVersion, kind)
	js, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	if err := s.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			t.Fatal(err)
		}
		errs = append(errs, leafErrors(ve)...)
	}
	meta, _ := json.Marshal(obj["metadata"])
	if err := decodeStrict(meta, &metav1.ObjectMeta{}); err != nil {
		errs = append(errs, "metadata: "+err.Error())
	}
	return errs
}

// leafErrors flattens a validation error to one line per failed keyword,
// "/json/pointer: message".
func leafErrors(ve *jsonschema.ValidationError) []string {
	var out []string
	for _, u := range ve.BasicOutput().Errors {
		if u.Error != nil && u.Error.String() != "" {
			out = append(out, fmt.Sprintf("%s: %s", u.InstanceLocation, u.Error))
		}
	}
	return out
}

// TestValidatorRejects makes sure the schema check can fail: a broken copy
// of a ScaledObject must produce the expected errors.
func TestValidatorRejects(t *testing.T) {
	t.Parallel()
	broken := map[string]any{
		"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": map[string]any{"name": "x", "lables": map[string]any{}},
		"spec": map[string]any{
			"minReplicaCount":  -1,
			"pollingIntervall": 5,
			"triggers":         []any{map[string]any{"type": "redis", "metadata": map[string]any{"databaseIndex": 0}}},
			"advanced":         map[string]any{"scalingModifiers": map[string]any{"metricType": "Utilization"}},
		},
	}
	got := strings.Join(crdErrors(t, sharedCRD(t, "keda.sh_scaledobjects.yaml"), broken), "\n")
	t.Logf("errors reported:\n%s", got)
	for _, want := range []string{
		"/spec: missing property 'scaleTargetRef'",
		"/spec: additional properties 'pollingIntervall' not allowed",
		"/spec/minReplicaCount: minimum: got -1, want 0",
		"/spec/triggers/0/metadata/databaseIndex: got number, want string",
		"/spec/advanced/scalingModifiers/metricType: value must be one of",
		`unknown field "lables"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("validator did not report %q; got:\n%s", want, got)
		}
	}
}
