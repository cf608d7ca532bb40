package testkit

import "syscall"

// childProcAttr makes a child die with the test binary (Pdeathsig), so a
// test killed by its -timeout leaves no redis-server behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
