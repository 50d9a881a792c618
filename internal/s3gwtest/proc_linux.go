package s3gwtest

import "syscall"

// childAttr kills the gateway with the test binary, even when a test
// timeout or a crash skips the cleanup.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
