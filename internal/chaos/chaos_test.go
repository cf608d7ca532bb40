package chaos

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

var (
	soak        = flag.Bool("chaos.soak", false, "longer faults (the tester's durations: 40-60 s hangs, 17-30 s outages)")
	topologies  = flag.Bool("chaos.topologies", true, "kill the primary of a real Redis Cluster and of a Sentinel setup (two scenarios of about two minutes, mostly waiting on asynq's lease recovery); =false leaves them out")
	requireKeys = flag.Bool("chaos.require-keys", false, "fail every request without an Idempotency-Key, not only duplicated ones")
	keepLogs    = flag.String("chaos.logs", "", "keep every scenario's process logs under this directory")
	parallel    = flag.Int("chaos.parallel", 3, "scenarios run at once (each has its own Redis, database and processes)")
)

// binaryDir holds the ozmon binary built for this test binary. TestMain
// is the one place that can build it once and remove it after every
// test, so it is a package variable, written before any test starts.
var binaryDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ozmon-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: temp dir:", err)
		os.Exit(1)
	}
	binaryDir = dir
	// A run killed before its cleanups leaves databases and binaries
	// behind; the next run removes those older than any run lasts.
	sweepStale(2 * time.Hour)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sweepStale removes the databases and binary directories of chaos runs
// older than maxAge. It is best effort: a failure is only reported.
func sweepStale(maxAge time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := SweepStale(ctx, maxAge); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "ozmon-chaos-*"))
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > maxAge {
			os.RemoveAll(d)
		}
	}
}

// suite is what the scenarios share: the ozmon binary (built on first
// use, so `go test -run TestWorkload` does not pay for it), the workload,
// and the no-fault baseline the latency of other scenarios is compared
// with.
type suite struct {
	binary   func() (string, error)
	workload func() (*Workload, error)

	baselineOnce sync.Once
	baselineV    *Verdict

	mu      sync.Mutex
	results map[string]string // scenario → PASS/FAIL and its verdict's summary
}

func newSuite() *suite {
	return &suite{
		results: map[string]string{},
		binary: sync.OnceValues(func() (string, error) {
			return testkit.BuildOzmon(binaryDir)
		}),
		workload: sync.OnceValues(func() (*Workload, error) {
			root, err := testkit.ModuleRoot()
			if err != nil {
				return nil, err
			}
			return LoadWorkload(context.Background(), filepath.Join(root, "testdata", "stellar", "mainnet"), 50, 3)
		}),
	}
}

// cluster builds a scenario's world on the suite's binary and workload.
func (s *suite) cluster(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	bin, err := s.binary()
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.workload()
	if err != nil {
		t.Fatal(err)
	}
	if *keepLogs != "" {
		cfg.LogDir = filepath.Join(*keepLogs, strings.ReplaceAll(t.Name(), "/", "_"))
	}
	c := NewCluster(t, bin, w, cfg)
	t.Cleanup(func() {
		outcome := "PASS"
		if t.Failed() {
			outcome = "FAIL"
		}
		summary := "no verdict (stopped before it)"
		if v := c.Verdict(); v != nil {
			summary = v.Summary()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.results[t.Name()] = outcome + "  " + summary
	})
	return c
}

// dur picks the fault length: the default keeps `make test` near five
// minutes; -chaos.soak uses the tester's.
func dur(quick, long time.Duration) time.Duration {
	if *soak {
		return long
	}
	return quick
}

// scenario is one fault story.
type scenario struct {
	name string
	run  func(t *testing.T, s *suite)
}

// TestChaos runs every scenario (see scenarios_test.go), -chaos.parallel
// at a time, started in the order they are declared: the longest first,
// so none of them starts last. Each one has its own Redis, database,
// simulator, receivers and processes.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos suite runs real processes for minutes; not in -short")
	}
	s, start := newSuite(), time.Now()
	// Subtests are run from a few goroutines rather than with t.Parallel:
	// the testing package resumes parallel subtests in no particular order.
	queue := make(chan scenario)
	var runners sync.WaitGroup
	for range max(1, *parallel) {
		runners.Go(func() {
			for sc := range queue {
				t.Run(sc.name, func(t *testing.T) {
					start := time.Now()
					sc.run(t, s)
					t.Logf("%s: scenario wall time %s", sc.name, time.Since(start).Round(100*time.Millisecond))
				})
			}
		})
	}
	for _, sc := range scenarios() {
		queue <- sc
	}
	close(queue)
	runners.Wait()
	// One table for the closing notes. The baseline may have run inside
	// another scenario (see suite.baseline), under that one's name.
	var lines []string
	for _, sc := range scenarios() {
		s.mu.Lock()
		r, ok := s.results[t.Name()+"/"+sc.name]
		s.mu.Unlock()
		if ok {
			lines = append(lines, fmt.Sprintf("%-45s %s", sc.name, r))
		}
	}
	t.Logf("chaos suite, %s:\n%s", time.Since(start).Round(time.Second), strings.Join(lines, "\n"))
}

// faultDown makes the simulator answer 503 to every call: the RPC is down.
func faultDown() ozmontest.Fault { return ozmontest.Fault{HTTPStatus: 503} }
