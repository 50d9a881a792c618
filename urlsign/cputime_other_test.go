//go:build !unix

package urlsign

func processCPU() int64 { return 0 }
