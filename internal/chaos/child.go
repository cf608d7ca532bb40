package chaos

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is one run of an external process whose output goes to a log
// file. It is the common part of the redis-server and ozmon processes:
// started once, then killed, terminated or left to exit.
type child struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when Wait returned
	mu     sync.Mutex
	err    error // Wait's result, once exited
}

// startChild starts bin with args and env, appending its stdout and
// stderr to logPath.
func startChild(name, bin string, args, env []string, logPath string) (*child, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, bin, err)
	}
	c := &child{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		logf.Close()
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.exited)
	}()
	return c, nil
}

// Exited reports whether the process has ended, and how.
func (c *child) Exited() (bool, error) {
	select {
	case <-c.exited:
		c.mu.Lock()
		defer c.mu.Unlock()
		return true, c.err
	default:
		return false, nil
	}
}

// kill sends SIGKILL and waits for the process to be reaped: after it
// returns, its ports are free.
func (c *child) kill() {
	if done, _ := c.Exited(); done {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// errStillRunning is what term returns when the process outlived its
// grace period and had to be killed.
var errStillRunning = errors.New("still running after SIGTERM")

// term sends SIGTERM and waits up to grace for the process to exit; past
// it the process is killed and errStillRunning returned.
func (c *child) term(grace time.Duration) error {
	if done, err := c.Exited(); done {
		return fmt.Errorf("%s had already exited: %v", c.name, err)
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.exited:
		_, err := c.Exited()
		return err
	case <-t.C:
		c.kill()
		return fmt.Errorf("%s: %w for %s; killed", c.name, errStillRunning, grace)
	}
}
