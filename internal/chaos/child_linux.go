package chaos

import "syscall"

// sysProcAttr makes a child die with the test binary (Pdeathsig), so a
// test killed by its -timeout leaves no redis-server or ozmon behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
