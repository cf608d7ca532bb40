//go:build !linux

package chaos

import "syscall"

// sysProcAttr: without Pdeathsig, children are ended by the tests'
// cleanups only.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
