package ozconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// cfgReader walks raw JSON field by field, recording every problem with its
// path instead of stopping at the first, which encoding/json cannot do. It
// never echoes the contents of a value whose type is wrong, because that
// value may be a secret.
type cfgReader struct {
	source string
	limits Limits
	errs   ValidationErrors
}

func (r *cfgReader) fail(path, format string, args ...any) {
	r.errs = append(r.errs, &ValidationError{Source: r.source, Path: path, Msg: fmt.Sprintf(format, clipArgs(format, args)...)})
}

func (r *cfgReader) failErr(path string, err error, msg string) {
	r.errs = append(r.errs, &ValidationError{Source: r.source, Path: path, Msg: msg, err: err})
}

// joinKey appends an object key to a path; a tenant's key is clipped, as
// the path ends up in messages.
func joinKey(path, key string) string {
	key = Clip(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

func joinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// jsonKind names the JSON type of raw for "expected X, got Y" messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// parseItem is parseDocument for one monitor, trigger or network, refused
// unread when it is over ItemBytes.
func (r *cfgReader) parseItem(data []byte) (json.RawMessage, bool) {
	if !r.checkItemBytes("", len(data)) {
		return nil, false
	}
	return r.parseDocument(data)
}

// parseDocument checks that data is one well-formed JSON value and reports a
// syntax error with its line and column.
func (r *cfgReader) parseDocument(data []byte) (json.RawMessage, bool) {
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		r.fail("", "invalid JSON: %s", describeJSONError(data, err))
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		r.fail("", "invalid JSON: unexpected data after the top-level value")
		return nil, false
	}
	// Reading goes on after a text problem, so that every other problem
	// is reported too.
	r.checkText(data)
	return raw, true
}

func describeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := lineCol(data, syn.Offset)
		return fmt.Sprintf("%s (line %d, column %d)", syn.Error(), line, col)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// cfgObject is a JSON object being read. Every accessor marks its key as
// known; finish reports the rest, so unknown keys are rejected as OZ's
// deny_unknown_fields does.
type cfgObject struct {
	r    *cfgReader
	path string
	keys []string
	vals map[string]json.RawMessage
	// allowed lists the keys asked for, in the order asked (for the
	// "allowed: …" hint); isAllowed is the same set for the lookups, so
	// that reading every key of a large object stays linear.
	allowed   []string
	isAllowed map[string]bool
	lenient   bool
}

// object reads raw as a JSON object, in key order, reporting duplicate keys.
func (r *cfgReader) object(path string, raw json.RawMessage, what string) *cfgObject {
	if jsonKind(raw) != "object" {
		r.fail(path, "expected %s (object), got %s", what, jsonKind(raw))
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	o := &cfgObject{r: r, path: path, vals: map[string]json.RawMessage{}}
	if _, err := dec.Token(); err != nil {
		r.fail(path, "invalid JSON object")
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			r.fail(path, "invalid JSON object")
			return nil
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			r.fail(joinKey(path, key), "invalid JSON value")
			return nil
		}
		if _, dup := o.vals[key]; dup {
			r.fail(path, "duplicate key %q", key)
			continue
		}
		o.keys = append(o.keys, key)
		o.vals[key] = v
	}
	return o
}

// get returns the value of key; present is false when it is absent or null
// (OZ's optional fields treat null as absent). A required key that is absent
// or null is reported.
func (o *cfgObject) get(key string, required bool) (json.RawMessage, string, bool) {
	if !o.isAllowed[key] {
		if o.isAllowed == nil {
			o.isAllowed = map[string]bool{}
		}
		o.isAllowed[key] = true
		o.allowed = append(o.allowed, key)
	}
	p := joinKey(o.path, key)
	v, ok := o.vals[key]
	if !ok {
		if required {
			o.r.fail(o.path, "missing required field %q", key)
		}
		return nil, p, false
	}
	if isNull(v) {
		if required {
			o.r.fail(p, "must not be null")
		}
		return nil, p, false
	}
	return v, p, true
}

func (o *cfgObject) has(key string) bool {
	v, ok := o.vals[key]
	return ok && !isNull(v)
}

// finish reports keys no accessor asked for.
func (o *cfgObject) finish() {
	if o.lenient {
		return
	}
	for _, k := range o.keys {
		if !o.isAllowed[k] {
			o.r.fail(o.path, "unknown field %q (allowed: %s)", k, strings.Join(o.allowed, ", "))
		}
	}
}

func (o *cfgObject) str(key string, required bool) (string, bool) {
	raw, p, ok := o.get(key, required)
	if !ok {
		return "", false
	}
	return o.r.str(p, raw)
}

func (r *cfgReader) str(path string, raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != "string" {
		r.fail(path, "expected string, got %s", jsonKind(raw))
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		r.fail(path, "invalid string")
		return "", false
	}
	return s, true
}

func (o *cfgObject) boolean(key string, required bool) (bool, bool) {
	raw, p, ok := o.get(key, required)
	if !ok {
		return false, false
	}
	if jsonKind(raw) != "boolean" {
		o.r.fail(p, "expected boolean, got %s", jsonKind(raw))
		return false, false
	}
	return bytes.Equal(bytes.TrimSpace(raw), []byte("true")), true
}

// uint reads an unsigned integer of at most max.
func (o *cfgObject) uint(key string, required bool, max uint64) (uint64, bool) {
	raw, p, ok := o.get(key, required)
	if !ok {
		return 0, false
	}
	return o.r.uint(p, raw, max)
}

func (r *cfgReader) uint(path string, raw json.RawMessage, max uint64) (uint64, bool) {
	if jsonKind(raw) != "number" {
		r.fail(path, "expected unsigned integer, got %s", jsonKind(raw))
		return 0, false
	}
	text := string(bytes.TrimSpace(raw))
	if strings.HasPrefix(text, "-") {
		r.fail(path, "must be a non-negative integer, got %s", text)
		return 0, false
	}
	if strings.ContainsAny(text, ".eE") {
		r.fail(path, "expected unsigned integer, got number %s", text)
		return 0, false
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n > max {
		r.fail(path, "%s is out of range (maximum %d)", text, max)
		return 0, false
	}
	return n, true
}

// strs reads an array of strings.
func (o *cfgObject) strs(key string, required bool) ([]string, bool) {
	raw, p, ok := o.get(key, required)
	if !ok {
		return nil, false
	}
	items, ok := o.r.array(p, raw, "array of strings")
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	good := true
	for i, it := range items {
		s, ok := o.r.str(joinIndex(p, i), it)
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

func (r *cfgReader) array(path string, raw json.RawMessage, what string) ([]json.RawMessage, bool) {
	if jsonKind(raw) != "array" {
		r.fail(path, "expected %s, got %s", what, jsonKind(raw))
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		r.fail(path, "invalid array")
		return nil, false
	}
	return items, r.checkListItems(path, len(items))
}

// enum reads a string that must be one of values exactly; a value that only
// differs in letter case gets a hint, since casing is the usual mistake.
func (o *cfgObject) enum(key string, required bool, values ...string) (string, bool) {
	s, ok := o.str(key, required)
	if !ok {
		return "", false
	}
	return s, o.r.checkEnum(joinKey(o.path, key), s, values...)
}

func (r *cfgReader) checkEnum(path, s string, values ...string) bool {
	for _, v := range values {
		if s == v {
			return true
		}
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	msg := fmt.Sprintf("invalid value %q (expected one of %s)", Clip(s), strings.Join(quoted, ", "))
	for _, v := range values {
		if strings.EqualFold(s, v) {
			msg += fmt.Sprintf("; values are case-sensitive: use %q", v)
			break
		}
	}
	r.fail(path, "%s", msg)
	return false
}

// secret reads a {"type", "value"} secret. Extra keys are ignored, as in OZ's
// custom deserializer.
func (o *cfgObject) secret(key string, required bool) (SecretValue, bool) {
	raw, p, ok := o.get(key, required)
	if !ok {
		return SecretValue{}, false
	}
	return o.r.secretAt(p, raw)
}

// secretAt reads the secret at path p.
func (r *cfgReader) secretAt(p string, raw json.RawMessage) (SecretValue, bool) {
	o := &cfgObject{r: r}
	if jsonKind(raw) != "object" {
		o.r.fail(p, `expected secret object {"type": …, "value": …}, got %s`, jsonKind(raw))
		return SecretValue{}, false
	}
	so := o.r.object(p, raw, "secret")
	if so == nil {
		return SecretValue{}, false
	}
	so.lenient = true
	t, tok := so.str("type", true)
	v, vok := so.str("value", true)
	if !tok || !vok {
		return SecretValue{}, false
	}
	kind, ok := parseSecretKind(t)
	if !ok {
		o.r.fail(joinKey(p, "type"), "invalid secret type %q (expected plain, environment or hashicorpcloudvault, in any letter case)", t)
		return SecretValue{}, false
	}
	if kind != SecretPlain && strings.TrimSpace(v) == "" {
		o.r.fail(joinKey(p, "value"), "must name the %s secret, got an empty string", strings.ToLower(string(kind)))
		return SecretValue{}, false
	}
	return SecretValue{kind: kind, ref: boxSecret(v)}, true
}
