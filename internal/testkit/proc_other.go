//go:build !linux

package testkit

import "syscall"

// childProcAttr: without Pdeathsig, children are ended by the tests'
// cleanups only.
func childProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
