package jsonrpc

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// skipAll reports whether Skip reads data as exactly one JSON value with
// only whitespace after it.
func skipAll(data []byte) bool {
	s := NewScanner(data)
	if !s.Skip() {
		return false
	}
	s.ws()
	return s.pos == len(data)
}

func TestScannerSkip(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`0`, `-0`, `12`, `-1.5e+10`, `1E-2`, `0.25`, `true`, `false`, `null`, `""`, `"a\"\\\/\b\f\n\r\t\u00e9\uD83D"`,
		"\"\xff\xfe\"", `[]`, `{}`, " [ 1 , [ ] , { } ] ", `{"a":{"b":[null]},"a":1}`, `{"\u0041":1}`,
		`01`, `-`, `1.`, `.5`, `1e`, `+1`, `--1`, `0x1`, `tru`, `nul`, `"`, `"\x"`, `"\u12G4"`, "\"\x1f\"", `[1,]`, `[,1]`,
		`{"a"}`, `{"a":1,}`, `{1:2}`, `{"a" 1}`, `[1 2]`, `{"a":1 "b":2}`, `[`, `]`, `}`, ``, ` `, `"abc`, "\ufeff1",
		strings.Repeat("[", 512) + strings.Repeat("]", 512),
	} {
		if got, want := skipAll([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("%q: Skip %v, json.Valid %v", in, got, want)
		}
	}
	deep := strings.Repeat("[", 513) + strings.Repeat("]", 513)
	if skipAll([]byte(deep)) {
		t.Error("nesting past maxSkipDepth accepted")
	}
}

func TestScannerNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		u32, i64 bool
	}{
		{`0`, true, true}, {`4294967295`, true, true}, {`4294967296`, false, true}, {`-1`, false, true},
		{`9223372036854775807`, false, true}, {`9223372036854775808`, false, false}, {`-9223372036854775808`, false, true},
		{`-9223372036854775809`, false, false}, {`18446744073709551616`, false, false}, {`-0`, false, true},
		{`01`, false, false}, {`1.0`, false, false}, {`1e3`, false, false}, {`"1"`, false, false}, {`null`, false, false},
	} {
		var u uint32
		var i int64
		uErr := json.Unmarshal([]byte(tc.in), &u)
		iErr := json.Unmarshal([]byte(tc.in), &i)
		gu, ok := NewScanner([]byte(tc.in)).Uint32()
		if ok != tc.u32 || ok && (uErr != nil || gu != u) {
			t.Errorf("Uint32(%s) = %d, %v; encoding/json %d, %v", tc.in, gu, ok, u, uErr)
		}
		gi, ok := NewScanner([]byte(tc.in)).Int64()
		if ok != tc.i64 || ok && (iErr != nil || gi != i) {
			t.Errorf("Int64(%s) = %d, %v; encoding/json %d, %v", tc.in, gi, ok, i, iErr)
		}
		var q struct {
			V int64 `json:"v,string"`
		}
		qErr := json.Unmarshal([]byte(`{"v":"`+tc.in+`"}`), &q)
		gq, ok := NewScanner([]byte(`"` + tc.in + `"`)).QuotedInt64()
		if ok != tc.i64 || ok && (qErr != nil || gq != q.V) {
			t.Errorf("QuotedInt64(%q) = %d, %v; encoding/json %d, %v", tc.in, gq, ok, q.V, qErr)
		}
	}
}

func TestScanResult(t *testing.T) {
	t.Parallel()
	read := func(s *Scanner) bool { _, ok := s.Uint32(); return ok }
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"result":5}`, true},
		{` {"jsonrpc":"2.0","id":{"x":[1]},"result":5} trailing`, true},
		{`{"id":1}`, false},
		{`{"result":5,"error":null}`, false},
		{`{"error":{"code":1},"result":5}`, false},
		{`{"Result":5}`, false},
		{`{"result":5,"result":6}`, false},
		{`{"result":"5"}`, false},
		{`{"result":5`, false},
		{`[{"result":5}]`, false},
	} {
		if got := ScanResult([]byte(tc.in), read); got != tc.ok {
			t.Errorf("ScanResult(%s) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

// FuzzScannerSkip holds Skip to json.Valid, both ways, within Skip's
// nesting limit.
func FuzzScannerSkip(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,"x\u00e9",true,null]}`, `[01]`, `"\x"`, `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strings.Count(string(data), "[")+strings.Count(string(data), "{") > maxSkipDepth {
			t.Skip()
		}
		if got, want := skipAll(data), json.Valid(data); got != want {
			t.Fatalf("%q: Skip %v, json.Valid %v", data, got, want)
		}
	})
}

// TestCallParse: Parse sees the whole body, sized by Content-Length or
// not, under the cap; when it declines, encoding/json decodes as usual.
func TestCallParse(t *testing.T) {
	t.Parallel()
	big := `{"result":"` + strings.Repeat("x", 200<<10) + `"}`
	for _, tc := range []struct {
		name    string
		body    string
		chunked bool
		accept  bool
	}{
		{"sized, parsed", big, false, true},
		{"chunked, parsed", big, true, true},
		{"sized, declined", big, false, false},
		{"chunked, declined", big, true, false},
		{"empty, declined", ``, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.chunked {
				_, _ = io.WriteString(w, tc.body[:10])
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, tc.body[10:])
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(tc.body)))
			_, _ = io.WriteString(w, tc.body)
		}))
		tr, err := New("test rpc", []Endpoint{{URL: srv.URL, Weight: 1}}, fast(WithRetries(1))...)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		var seen []byte
		c := newCall(&got)
		c.Parse = func(body []byte) bool {
			seen = body
			return tc.accept
		}
		err = tr.Call(context.Background(), c)
		srv.Close()
		if string(seen) != tc.body {
			t.Errorf("%s: Parse saw %d bytes, want %d", tc.name, len(seen), len(tc.body))
		}
		switch {
		case tc.body == "":
			if err == nil || !strings.Contains(err.Error(), "invalid JSON-RPC response") {
				t.Errorf("%s: error %v", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.accept && got != "":
			t.Errorf("%s: encoding/json ran after Parse accepted", tc.name)
		case !tc.accept && len(got) != 200<<10:
			t.Errorf("%s: result of %d bytes", tc.name, len(got))
		}
	}

	// The cap holds with or without a Content-Length, before Parse.
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			}
			_, _ = io.WriteString(w, big)
		}))
		tr, err := New("test rpc", []Endpoint{{URL: srv.URL, Weight: 1}}, fast(WithRetries(1), WithMaxResponseBytes(100<<10))...)
		if err != nil {
			t.Fatal(err)
		}
		c := newCall(new(string))
		c.Parse = func([]byte) bool { t.Error("Parse called on a body over the cap"); return true }
		err = tr.Call(context.Background(), c)
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "response larger than 102400 bytes") {
			t.Errorf("chunked=%v: error %v", chunked, err)
		}
	}
}
