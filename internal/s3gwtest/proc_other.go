//go:build !linux

package s3gwtest

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
