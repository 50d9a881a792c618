//go:build unix

package urlsign

import "syscall"

// processCPU returns the CPU time (user + system) this process has used, in
// nanoseconds: benchmarks report it beside wall time, since on a shared
// machine wall time mostly measures the other jobs.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
