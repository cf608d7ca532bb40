package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
)

// The memory benchmark's clients run in a child process (this test
// binary, re-executed with idleClientEnv set), so the API process's
// figures hold the server's side of each connection only.
const idleClientEnv = "OZMON_E2E_IDLE_CLIENTS"

// heapProfileEnv names the file the memory benchmark writes the API
// process's heap profile to, with the subscriptions open.
const heapProfileEnv = "OZMON_BENCH_HEAPPROFILE"

func TestMain(m *testing.M) {
	if spec := os.Getenv(idleClientEnv); spec != "" {
		os.Exit(runIdleClients(spec))
	}
	if os.Getenv(heapProfileEnv) != "" {
		// Every allocation sampled: the profile then accounts for each
		// connection's bytes, not a 512 KB sample's guess.
		runtime.MemProfileRate = 1
	}
	os.Exit(m.Run())
}

// runIdleClients opens n subscriptions ("n url token") with the API,
// prints "ready" and holds them until its stdin closes.
func runIdleClients(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 3 {
		fmt.Fprintf(os.Stderr, "%s: want \"n url token\", got %q\n", idleClientEnv, spec)
		return 2
	}
	n, _ := strconv.Atoi(f[0])
	ctx := context.Background()
	conns := make([]*wsClient, 0, n)
	for i := range n {
		ws, err := subscribeMatches(ctx, f[1], f[2], "")
		if err != nil {
			fmt.Fprintf(os.Stderr, "subscription %d: %v\n", i, err)
			return 1
		}
		conns = append(conns, ws)
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	for _, c := range conns {
		c.close()
	}
	return 0
}

// memory is the live heap and the goroutine stacks, after a collection.
type memory struct {
	heap, stacks int64
	goroutines   int
}

func measure() memory {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memory{heap: int64(ms.HeapAlloc), stacks: int64(ms.StackInuse), goroutines: runtime.NumGoroutine()}
}

// BenchmarkIdleSubscriptionMemory: the API process's memory per idle
// matches subscription (one WebSocket connection each, through the real
// authentication and the hub): live heap plus goroutine stacks before and
// after OZMON_BENCH_SUBS (default 2,000) clients in another process
// subscribe. Goal: ≤ 20 KB, so 10,000 fit in 200 MB (16 KB measured,
// docs/live.md).
func BenchmarkIdleSubscriptionMemory(b *testing.B) {
	n := benchEnv("OZMON_BENCH_SUBS", 2000)
	d := newDeployment(b)
	tenant := d.tenant("acme")
	key, _ := d.key(tenant, "reader", auth.RoleViewer, time.Time{})
	// Warm the paths a connection takes (the key's check, the hub's feed)
	// so their one-off allocations are not counted per connection.
	warm, err := subscribeMatches(context.Background(), d.wsURL(), key, "")
	if err != nil {
		b.Fatal(err)
	}
	defer warm.close()
	waitSubscribedB(b, d, 1)
	for b.Loop() {
		b.StopTimer()
		before := measure()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s %s", idleClientEnv, n, d.wsURL(), key))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		b.StartTimer()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "ready" {
			b.Fatalf("client process: %q %v", line, err)
		}
		waitSubscribedB(b, d, n+1)
		b.StopTimer()
		after := measure()
		if path := os.Getenv(heapProfileEnv); path != "" {
			writeHeapProfile(b, path)
		}
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatalf("client process: %v", err)
		}
		per := func(v int64) float64 { return float64(v) / float64(n) / 1024 }
		b.ReportMetric(per(after.heap+after.stacks-before.heap-before.stacks), "KB/subscription")
		b.ReportMetric(per(after.heap-before.heap), "heap_KB/subscription")
		b.ReportMetric(per(after.stacks-before.stacks), "stack_KB/subscription")
		b.ReportMetric(float64(after.goroutines-before.goroutines)/float64(n), "goroutines/subscription")
		b.ReportMetric(float64(n), "subscriptions")
		b.StartTimer()
	}
}

// writeHeapProfile writes the API process's heap profile with the
// subscriptions open (OZMON_BENCH_HEAPPROFILE=path, every allocation
// sampled), to see what a connection holds:
//
//	go tool pprof -sample_index=inuse_space -top path
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
