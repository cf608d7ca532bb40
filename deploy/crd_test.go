package deploy_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// crdSchema returns the openAPIV3Schema of the CRD in file for kind, and the
// apiVersion ("group/version") objects of that kind must carry.
func crdSchema(t *testing.T, file, kind string) (schema map[string]any, apiVersion string) {
	t.Helper()
	for _, d := range yamlDocs(t, file) {
		if d["kind"] != "CustomResourceDefinition" || dig(d, "spec", "names", "kind") != kind {
			continue
		}
		group, _ := dig(d, "spec", "group").(string)
		for _, v := range asList(dig(d, "spec", "versions")) {
			if dig(v, "storage") == true {
				s, _ := dig(v, "schema", "openAPIV3Schema").(map[string]any)
				return s, group + "/" + dig(v, "name").(string)
			}
		}
	}
	t.Fatalf("%s: no CRD for kind %s", file, kind)
	return nil, ""
}

// validate checks v against a structural OpenAPI v3 schema the way the API
// server would before storing it: types, required fields, enums, bounds, and
// unknown fields (which the server would silently prune; here they are
// errors, since a pruned field is a setting that does not take effect).
// CEL rules (x-kubernetes-validations) are not evaluated.
func validate(path string, v any, s map[string]any) []string {
	if s == nil {
		return nil
	}
	if anyOf := asList(s["anyOf"]); len(anyOf) > 0 && s["type"] == nil {
		for _, alt := range anyOf {
			m, _ := alt.(map[string]any)
			if len(validate(path, v, m)) == 0 {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %v matches none of anyOf", path, v)}
	}
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, a...)) }
	if s["x-kubernetes-int-or-string"] == true {
		switch v.(type) {
		case int, string:
			return nil
		}
		bad("want an integer or a string, got %T", v)
		return errs
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return errs
		}
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				bad("required field %q missing", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		addl, _ := s["additionalProperties"].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch ps, ok := props[k].(map[string]any); {
			case ok:
				errs = append(errs, validate(path+"."+k, m[k], ps)...)
			case addl != nil:
				errs = append(errs, validate(path+"."+k, m[k], addl)...)
			case props == nil || s["x-kubernetes-preserve-unknown-fields"] == true:
				// free-form object (e.g. metadata)
			default:
				bad("unknown field %q", k)
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return errs
		}
		if mi, ok := s["minItems"].(int); ok && len(l) < mi {
			bad("%d items, want at least %d", len(l), mi)
		}
		items, _ := s["items"].(map[string]any)
		for i, e := range l {
			errs = append(errs, validate(fmt.Sprintf("%s[%d]", path, i), e, items)...)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T %v (quote it)", v, v)
			return errs
		}
		if ml, ok := s["minLength"].(int); ok && len(str) < ml {
			bad("shorter than %d", ml)
		}
		if enum := asList(s["enum"]); len(enum) > 0 && !slices.Contains(enum, any(str)) {
			bad("%q is not one of %v", str, enum)
		}
	case "integer":
		n, ok := v.(int)
		if !ok {
			bad("want an integer, got %T %v", v, v)
			return errs
		}
		if mn, ok := s["minimum"].(int); ok && n < mn {
			bad("%d is below the minimum %d", n, mn)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	}
	return errs
}

// checkAgainstCRD validates obj against the CRD of its kind.
func checkAgainstCRD(t *testing.T, crdFile string, obj map[string]any) {
	t.Helper()
	kind, _ := obj["kind"].(string)
	schema, apiVersion := crdSchema(t, crdFile, kind)
	if obj["apiVersion"] != apiVersion {
		t.Errorf("%s: apiVersion %v, the CRD serves %s", kind, obj["apiVersion"], apiVersion)
	}
	for _, e := range validate(kind, obj, schema) {
		t.Errorf("%s", e)
	}
}

// TestValidatorRejects makes sure the schema check can fail: a broken copy
// of the ScaledObject must produce the expected errors.
func TestValidatorRejects(t *testing.T) {
	t.Parallel()
	crd := sharedCRD(t, "keda.sh_scaledobjects.yaml")
	schema, _ := crdSchema(t, crd, "ScaledObject")
	broken := map[string]any{
		"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{
			"minReplicaCount":  -1,
			"pollingIntervall": 5,
			"triggers":         []any{map[string]any{"type": "redis", "metadata": map[string]any{"databaseIndex": 0}}},
			"advanced":         map[string]any{"scalingModifiers": map[string]any{"metricType": "Utilization"}},
		},
	}
	got := strings.Join(validate("ScaledObject", broken, schema), "\n")
	for _, want := range []string{
		`required field "scaleTargetRef" missing`,
		`unknown field "pollingIntervall"`,
		"-1 is below the minimum 0",
		"databaseIndex: want a string",
		`"Utilization" is not one of`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("validator did not report %q; got:\n%s", want, got)
		}
	}
}
