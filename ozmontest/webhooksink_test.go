package ozmontest

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWebhookSinkRecordsAndScripts(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	sink := StartWebhookSink(t,
		SinkFailTimes(1, 500),
		SinkRateLimited(1, "3"),
		SinkOnRequest(func(r SinkRequest) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.Path)
			mu.Unlock()
		}))
	if !strings.HasPrefix(sink.URL(), "http://127.0.0.1:") {
		t.Fatalf("sink URL %s", sink.URL())
	}
	want := []struct {
		status int
		after  string
	}{{500, ""}, {429, "3"}, {200, ""}}
	for i, w := range want {
		req, _ := http.NewRequest(http.MethodPut, sink.URL()+"/hook/a%2Fb?x=1", strings.NewReader(`{"n":`+string(rune('0'+i))+`}`))
		req.Header.Set("X-Test", "yes")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != w.status || resp.Header.Get("Retry-After") != w.after {
			t.Fatalf("request %d: status %d retry-after %q body %q", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	reqs, err := sink.WaitFor(3, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reqs {
		if r.Method != http.MethodPut || r.Path != "/hook/a%2Fb" || r.RawQuery != "x=1" || r.Header.Get("X-Test") != "yes" {
			t.Fatalf("request %d recorded as %+v", i, r)
		}
		if string(r.Body) != `{"n":`+string(rune('0'+i))+`}` {
			t.Fatalf("request %d body %q", i, r.Body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[0] != "PUT /hook/a%2Fb" {
		t.Fatalf("callback saw %v", seen)
	}
	if sink.Count() != 3 {
		t.Fatalf("count %d", sink.Count())
	}
}

func TestWebhookSinkWaitForTimesOutAndSlowClose(t *testing.T) {
	t.Parallel()
	sink, err := NewWebhookSink("127.0.0.1:0", SinkDefault(SinkResponse{Status: 202, Delay: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sink.WaitFor(1, 50*time.Millisecond); err == nil {
		t.Fatal("WaitFor returned without requests")
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.Post(sink.URL()+"/slow", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	if _, err := sink.WaitFor(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// Closing the sink cuts the slow response short instead of waiting a minute.
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("slow request still pending after Close")
	}
	if err := sink.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
