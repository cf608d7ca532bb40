package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
)

// TestGoRedisLogsAsJSON: a line go-redis logs by itself (its pool failing
// to dial) comes out of a command as one of ozmon's JSON log records, not
// as go-redis's "redis: 2026/…" text. Not parallel: go-redis's logger is
// process-wide, and parallel tests running commands would swap it.
func TestGoRedisLogsAsJSON(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused
	code, _, errOut := runCmd(t, "admin", "queues", "--redis-url", "redis://"+addr, "--log-format", "json")
	if code != 1 {
		t.Fatalf("admin queues against a closed port exited %d: %s", code, errOut)
	}
	var found bool
	for _, line := range strings.Split(errOut, "\n") {
		if !strings.Contains(line, "failed to dial") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("go-redis line is not JSON: %q", line)
		}
		if rec["component"] != "go-redis" || rec["level"] != "WARN" {
			t.Fatalf("go-redis record %v: want component go-redis, level WARN", rec)
		}
		found = true
	}
	if !found {
		t.Fatalf("no go-redis dial failure logged; stderr:\n%s", errOut)
	}
}
