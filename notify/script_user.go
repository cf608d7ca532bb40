package notify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// ScriptUser runs every script as uid:gid, with no supplementary groups, instead of as the
// worker's own user.
//
// Why a separate user: a script started by the worker can read the environment of every
// process of its own uid through /proc/<pid>/environ — the worker's (its parent, $PPID) and
// the worker's ancestors' — and with it the database URL and tokens the worker was started
// with. Emptying the script's own environment does not help, and neither does the worker
// clearing its own: /proc/<pid>/environ is the environment block the process was started
// with, which os.Unsetenv and os.Clearenv do not change. Re-exec'ing the worker with a
// scrubbed environment would hide the worker's block but not its ancestors' (a shell, a
// supervisor of the same user), nor /proc/<pid>/mem where ptrace is allowed, nor the
// operator's config files. A script running as another uid is refused all of them by the
// kernel. The cost: the worker needs root or CAP_SETUID and CAP_SETGID (CanSwitchUser), and
// the script's working directory (its directory in notify.script_dir) must be readable by that
// user; the script's content is read by the worker and passed inline, so the file itself
// need not be.
func ScriptUser(uid, gid uint32) Option {
	return func(o *options) {
		o.scriptCred = &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}
	}
}

// Linux capability numbers (linux/capability.h).
const (
	capSetgid = 6
	capSetuid = 7
)

// CanSwitchUser reports, as an error naming what is missing, whether this process may start
// scripts as another user (ScriptUser): it must be root or hold CAP_SETUID and CAP_SETGID.
func CanSwitchUser() error {
	if os.Geteuid() == 0 {
		return nil
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fmt.Errorf("read own capabilities: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		v, ok := bytes.CutPrefix(sc.Bytes(), []byte("CapEff:"))
		if !ok {
			continue
		}
		caps, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
		if err != nil {
			return fmt.Errorf("read own capabilities: CapEff %q: %w", bytes.TrimSpace(v), err)
		}
		if caps&(1<<capSetuid) != 0 && caps&(1<<capSetgid) != 0 {
			return nil
		}
		break
	}
	return errors.New("running scripts as another user needs root or the CAP_SETUID and CAP_SETGID capabilities")
}
