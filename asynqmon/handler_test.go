package asynqmon

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

const (
	adminToken    = "admin-token-0123456789abcdef"
	readOnlyToken = "viewer-token-0123456789abcdef"
	plantedSecret = "PLANTED-SECRET-7f3a9c"
)

// fixture is a real Redis database, an asynqmon handler on it served on
// 127.0.0.1, and an Inspector to check what the API did.
type fixture struct {
	rdb *redis.Client
	srv *httptest.Server
	ins *asynq.Inspector
	cli *asynq.Client
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	rdb := testkit.RedisClient(t)
	if len(opts) == 0 {
		opts = []Option{WithAdminToken(adminToken), WithReadOnlyToken(readOnlyToken)}
	}
	h, err := New(rdb, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{rdb: rdb, srv: srv, ins: asynq.NewInspectorFromRedisClient(rdb), cli: asynq.NewClientFromRedisClient(rdb)}
}

// do sends a request with an optional bearer token and returns status and body.
func (f *fixture) do(t *testing.T, method, path, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// enqueueDeliver puts a deliver task whose vars and match carry the planted
// secret into its notify queue and returns its id and queue.
func (f *fixture) enqueueDeliver(t *testing.T) (id, queue string) {
	t.Helper()
	return f.enqueueDeliverN(t, 4242)
}

// enqueueDeliverN enqueues the deliver task of ledger n.
func (f *fixture) enqueueDeliverN(t *testing.T, n uint64) (id, queue string) {
	t.Helper()
	p := tasks.Deliver{
		TenantID: "tenant-acme", Monitor: "Large USDC transfer", Network: "stellar_mainnet",
		Ledger: n, TxHash: "abc123", Trigger: "slack-ops", Tier: tasks.TierDefault,
		Vars:  map[string]string{"webhook_url": "https://hooks.example/" + plantedSecret, "amount": plantedSecret},
		Match: json.RawMessage(`{"monitor":{"name":"x"},"secret":"` + plantedSecret + `"}`),
	}
	task, err := tasks.NewTask(p)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.cli.Enqueue(task)
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return info.ID, info.Queue
}

func TestUIServedWithToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code, hd, body := f.do(t, "GET", "/asynqmon/", adminToken)
	if code != http.StatusOK || !strings.Contains(hd.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /asynqmon/ = %d %q", code, hd.Get("Content-Type"))
	}
	// asynqmon renders its root path into the page so that assets load from it.
	if !strings.Contains(body, "/asynqmon/static/") {
		t.Errorf("index page does not reference assets under /asynqmon/static/:\n%.300s", body)
	}
	if hd.Get("X-Frame-Options") != "DENY" {
		t.Errorf("X-Frame-Options = %q, want DENY", hd.Get("X-Frame-Options"))
	}
	code, hd, _ = f.do(t, "GET", "/asynqmon", adminToken)
	if code != http.StatusMovedPermanently || hd.Get("Location") != "/asynqmon/" {
		t.Errorf("GET /asynqmon = %d Location %q, want redirect to /asynqmon/", code, hd.Get("Location"))
	}
	if code, _, _ := f.do(t, "GET", "/elsewhere", adminToken); code != http.StatusNotFound {
		t.Errorf("GET /elsewhere = %d, want 404", code)
	}
	if !strings.Contains(body, `FLAG_READ_ONLY="false"`) {
		t.Errorf("admin page is not in asynqmon's read-write mode")
	}
	// The read-only role gets the page too, in asynqmon's read-only mode
	// (buttons hidden).
	code, _, body = f.do(t, "GET", "/asynqmon/", readOnlyToken)
	if code != http.StatusOK || !strings.Contains(body, `FLAG_READ_ONLY="true"`) {
		t.Errorf("read-only GET /asynqmon/ = %d, read-only flag set: %v", code, strings.Contains(body, `FLAG_READ_ONLY="true"`))
	}
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct{ name, path, token string }{
		{"no credentials, page", "/asynqmon/", ""},
		{"no credentials, api", "/asynqmon/api/queues", ""},
		{"wrong token", "/asynqmon/api/queues", "not-the-token-0123456789"},
		{"token prefix", "/asynqmon/api/queues", adminToken[:len(adminToken)-1]},
	} {
		code, hd, body := f.do(t, "GET", tc.path, tc.token)
		if code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, code)
		}
		if ch := strings.Join(hd.Values("WWW-Authenticate"), ", "); !strings.Contains(ch, "Basic realm=") || !strings.Contains(ch, "Bearer") {
			t.Errorf("%s: WWW-Authenticate = %q", tc.name, ch)
		}
		if strings.Contains(body, "queues") {
			t.Errorf("%s: body leaks data: %q", tc.name, body)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t,
		withBasicAuth("ops", "ops-password-1", false),
		withBasicAuth("viewer", "viewer-password-1", true),
		WithReadOnlyToken(readOnlyToken),
	)
	id, q := f.enqueueDeliver(t)
	if err := f.ins.ArchiveTask(q, id); err != nil {
		t.Fatal(err)
	}
	send := func(method, path, user, pass string) int {
		req, _ := http.NewRequest(method, f.srv.URL+path, nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := send("GET", "/asynqmon/api/queues", "ops", "wrong"); c != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", c)
	}
	if c := send("GET", "/asynqmon/api/queues", "viewer", "ops-password-1"); c != http.StatusUnauthorized {
		t.Errorf("another user's password: %d, want 401", c)
	}
	if c := send("POST", "/asynqmon/api/queues/"+q+":pause", "viewer", "viewer-password-1"); c != http.StatusForbidden {
		t.Errorf("read-only basic user pausing: %d, want 403", c)
	}
	// A token works as the basic-auth password (what a browser prompt sends).
	if c := send("GET", "/asynqmon/api/queues", "anyone", readOnlyToken); c != http.StatusOK {
		t.Errorf("token as basic password: %d, want 200", c)
	}
	if c := send("POST", "/asynqmon/api/queues/"+q+"/archived_tasks/"+id+":run", "ops", "ops-password-1"); c != http.StatusNoContent {
		t.Errorf("admin basic user running archived task: %d, want 204", c)
	}
	info, err := f.ins.GetTaskInfo(q, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != asynq.TaskStatePending {
		t.Errorf("task state after run = %v, want pending", info.State)
	}
}

func TestReadOnlyCannotMutate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, q := f.enqueueDeliver(t)
	if err := f.ins.ArchiveTask(q, id); err != nil {
		t.Fatal(err)
	}

	code, _, body := f.do(t, "GET", "/asynqmon/api/queues", readOnlyToken)
	if code != http.StatusOK {
		t.Fatalf("read-only GET queues = %d %s", code, body)
	}
	var queues struct {
		Queues []struct {
			Queue    string `json:"queue"`
			Archived int    `json:"archived"`
		} `json:"queues"`
	}
	if err := json.Unmarshal([]byte(body), &queues); err != nil {
		t.Fatalf("queues JSON: %v\n%s", err, body)
	}
	if len(queues.Queues) != 1 || queues.Queues[0].Queue != q || queues.Queues[0].Archived != 1 {
		t.Errorf("queues = %+v, want %s with 1 archived", queues.Queues, q)
	}

	for _, m := range []struct{ method, path string }{
		{"POST", "/asynqmon/api/queues/" + q + ":pause"},
		{"DELETE", "/asynqmon/api/queues/" + q},
		{"DELETE", "/asynqmon/api/queues/" + q + "/archived_tasks/" + id},
		{"POST", "/asynqmon/api/queues/" + q + "/archived_tasks/" + id + ":run"},
		{"POST", "/asynqmon/api/queues/" + q + "/archived_tasks:run_all"},
		{"DELETE", "/asynqmon/api/queues/" + q + "/archived_tasks:delete_all"},
		{"PUT", "/asynqmon/api/queues/" + q},
		// Not an API path: still nothing but GET for a viewer.
		{"POST", "/asynqmon/"},
	} {
		if code, _, _ := f.do(t, m.method, m.path, readOnlyToken); code != http.StatusForbidden {
			t.Errorf("read-only %s %s = %d, want 403", m.method, m.path, code)
		}
	}

	// Nothing changed in Redis.
	info, err := f.ins.GetTaskInfo(q, id)
	if err != nil {
		t.Fatalf("task vanished: %v", err)
	}
	if info.State != asynq.TaskStateArchived {
		t.Errorf("task state = %v, want archived", info.State)
	}
	qi, err := f.ins.GetQueueInfo(q)
	if err != nil {
		t.Fatal(err)
	}
	if qi.Paused {
		t.Error("queue paused by a read-only caller")
	}
}

func TestAdminRunsArchivedTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, q := f.enqueueDeliver(t)
	if err := f.ins.ArchiveTask(q, id); err != nil {
		t.Fatal(err)
	}
	code, _, body := f.do(t, "GET", "/asynqmon/api/queues/"+q+"/archived_tasks", adminToken)
	if code != http.StatusOK || !strings.Contains(body, id) {
		t.Fatalf("list archived = %d, id %s missing:\n%s", code, id, body)
	}
	if code, _, body := f.do(t, "POST", "/asynqmon/api/queues/"+q+"/archived_tasks/"+id+":run", adminToken); code != http.StatusNoContent {
		t.Fatalf("run archived = %d %s", code, body)
	}
	info, err := f.ins.GetTaskInfo(q, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != asynq.TaskStatePending {
		t.Errorf("state after run = %v, want pending", info.State)
	}
	if code, _, body := f.do(t, "POST", "/asynqmon/api/queues/"+q+":pause", adminToken); code != http.StatusNoContent {
		t.Fatalf("admin pause = %d %s", code, body)
	}
	qi, err := f.ins.GetQueueInfo(q)
	if err != nil {
		t.Fatal(err)
	}
	if !qi.Paused {
		t.Error("queue not paused after admin pause")
	}
}

func TestCrossOriginMutationRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, q := f.enqueueDeliver(t)
	req, _ := http.NewRequest("POST", f.srv.URL+"/asynqmon/api/queues/"+q+":pause", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
	qi, err := f.ins.GetQueueInfo(q)
	if err != nil {
		t.Fatal(err)
	}
	if qi.Paused {
		t.Error("queue paused by a cross-site request")
	}
}

func TestPayloadsRedactedInAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, q := f.enqueueDeliver(t)
	for _, path := range []string{
		"/asynqmon/api/queues/" + q + "/pending_tasks",
		"/asynqmon/api/queues/" + q + "/tasks/" + id,
	} {
		code, _, body := f.do(t, "GET", path, adminToken)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
		if strings.Contains(body, plantedSecret) {
			t.Errorf("GET %s leaks the planted secret:\n%s", path, body)
		}
		for _, want := range []string{"tenant-acme", "Large USDC transfer", "stellar_mainnet", "4242", "slack-ops", "abc123"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks metadata %q:\n%s", path, want, body)
			}
		}
	}
}

func TestNewRefusesUnsafeConfig(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: testkit.RedisAddr()}) // never dialled
	t.Cleanup(func() { _ = rdb.Close() })
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"no credentials", nil},
		{"empty tokens only", []Option{WithAdminToken(""), WithReadOnlyToken("")}},
		{"short token", []Option{WithAdminToken("short")}},
		{"blank token", []Option{WithAdminToken(strings.Repeat(" ", 16))}},
		{"padded token", []Option{WithAdminToken(adminToken + " ")}},
		{"one repeated character", []Option{WithAdminToken(strings.Repeat("a", 32))}},
		{"low-variety read-only token", []Option{WithAdminToken(adminToken), WithReadOnlyToken("abababababababababab")}},
		{"same tokens", []Option{WithAdminToken(adminToken), WithReadOnlyToken(adminToken)}},
		{"basic without password", []Option{withBasicAuth("ops", "", false)}},
		{"relative path", []Option{WithAdminToken(adminToken), WithPath("asynqmon")}},
		{"bad prometheus url", []Option{WithAdminToken(adminToken), WithPrometheusURL("prometheus:9090")}},
		{"prometheus url with credentials", []Option{WithAdminToken(adminToken), WithPrometheusURL("http://u:p@prometheus:9090")}},
	} {
		h, err := New(rdb, tc.opts...)
		if err == nil || h != nil {
			t.Errorf("%s: New = %v, %v; want an error", tc.name, h, err)
			continue
		}
		if strings.Contains(err.Error(), adminToken) {
			t.Errorf("%s: error shows the token: %v", tc.name, err)
		}
	}
	if _, err := New(nil, WithAdminToken(adminToken)); err == nil {
		t.Error("New(nil) succeeded")
	}
}

func TestCustomPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, WithAdminToken(adminToken), WithPath("/admin/queues/"))
	if code, _, body := f.do(t, "GET", "/admin/queues/api/queues", adminToken); code != http.StatusOK {
		t.Errorf("GET under custom path = %d %s", code, body)
	}
	if code, _, _ := f.do(t, "GET", "/asynqmon/", adminToken); code != http.StatusNotFound {
		t.Errorf("default path still served: %d", code)
	}
	// Only an admin credential: a read-only token is not accepted.
	if code, _, _ := f.do(t, "GET", "/admin/queues/api/queues", readOnlyToken); code != http.StatusUnauthorized {
		t.Errorf("unconfigured read-only token = %d, want 401", code)
	}
}

// WithPrometheusURL sends asynqmon's chart queries to that server.
func TestPrometheusURL(t *testing.T) {
	t.Parallel()
	queries := make(chan string, 32)
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case queries <- r.URL.Path + "?" + r.URL.Query().Get("query"):
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	}))
	t.Cleanup(prom.Close)
	f := newFixture(t, WithAdminToken(adminToken), WithPrometheusURL(prom.URL))
	code, _, body := f.do(t, "GET", "/asynqmon/api/metrics?duration=3600&endtime=1700000000", adminToken)
	if code != http.StatusOK {
		t.Fatalf("GET api/metrics = %d %s", code, body)
	}
	select {
	case q := <-queries:
		if !strings.HasPrefix(q, "/api/v1/query_range?") || !strings.Contains(q, "asynq_") {
			t.Errorf("prometheus got %q", q)
		}
	default:
		t.Fatal("asynqmon did not query the configured Prometheus")
	}
}

// TestRunRefusesTaskNotInItsTab: asynqmon runs any task id it is given,
// and asynq would run a completed one; a delivered notification's kept
// task must not be queued again through "run", single or batch.
func TestRunRefusesTaskNotInItsTab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, q := f.enqueueDeliver(t)
	// Pending: neither tab's run may touch it.
	for _, path := range []string{"/archived_tasks/" + id + ":run", "/retry_tasks/" + id + ":run"} {
		if code, _, body := f.do(t, "POST", "/asynqmon/api/queues/"+q+path, adminToken); code != http.StatusConflict || !strings.Contains(body, "pending") {
			t.Fatalf("%s on a pending task = %d %s, want 409 naming its state", path, code, body)
		}
	}
	if code, _, _ := f.do(t, "POST", "/asynqmon/api/queues/"+q+"/archived_tasks/nope:run", adminToken); code != http.StatusNotFound {
		t.Fatalf("run of a missing task = %d, want 404", code)
	}
	// Batch: the archived one runs, the other is reported as an error.
	id2, _ := f.enqueueDeliverN(t, 2)
	if err := f.ins.ArchiveTask(q, id2); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/asynqmon/api/queues/"+q+"/archived_tasks:batch_run",
		strings.NewReader(`{"task_ids":["`+id+`","`+id2+`"]}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		PendingIDs []string `json:"pending_ids"`
		ErrorIDs   []string `json:"error_ids"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.PendingIDs) != 1 || out.PendingIDs[0] != id2 || len(out.ErrorIDs) != 1 || out.ErrorIDs[0] != id {
		t.Fatalf("batch run = %+v, want %s run and %s refused", out, id2, id)
	}
}

// TestWeakTokenRefusalSaysWhy: the refusal names the rule, never the token.
func TestWeakTokenRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: testkit.RedisAddr()}) // never dialled
	t.Cleanup(func() { _ = rdb.Close() })
	for tok, want := range map[string]string{
		strings.Repeat(" ", 16):          "admin token contains white space",
		"xyxyxyxyxyxyxyxyxyxyxyxy":       "uses only 2 different characters (at least 8)",
		"0123456789abcdef0123456789ab\t": "contains white space",
	} {
		_, err := New(rdb, WithAdminToken(tok))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("token %q: %v, want %q", tok, err, want)
		} else if strings.Contains(err.Error(), strings.TrimSpace(tok)) && strings.TrimSpace(tok) != "" {
			t.Errorf("refusal shows the token: %v", err)
		}
	}
}
