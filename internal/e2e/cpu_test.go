package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// processCPU is the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100
// on every architecture Go's linux ports run on.
const clockTick = 10 * time.Millisecond

// backendsCPU is the CPU time used so far by the PostgreSQL backends
// serving connections named appName (the pool's application_name), read
// from /proc: the server's side of the benchmark's queries, apart from
// whatever else the shared server runs.
func backendsCPU(ctx context.Context, pool *pgxpool.Pool, appName string) (time.Duration, error) {
	rows, err := pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, appName)
	if err != nil {
		return 0, fmt.Errorf("list backends of %s: %w", appName, err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return 0, fmt.Errorf("list backends of %s: %w", appName, err)
		}
		cpu, err := pidCPU(pid)
		if err != nil {
			return 0, err
		}
		total += cpu
	}
	return total, rows.Err()
}

// pidCPU reads utime + stime of a process from /proc/<pid>/stat.
func pidCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read CPU time of process %d (is PostgreSQL on this machine?): %w", pid, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields after its closing parenthesis start at field 3 (state).
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("read CPU time of process %d: %d fields in /proc/%d/stat", pid, len(fields), pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("read CPU time of process %d: utime %q stime %q", pid, fields[11], fields[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}
