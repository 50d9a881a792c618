// Package readlimit reads files that come from outside (keys, templates,
// cloud assembly manifests) with a hard size limit that holds for every kind
// of file: a FIFO, /dev/zero or a /proc file reports no useful size, so the
// limit is enforced on the bytes read, never on what Stat says. Reading a
// FIFO, pipe or device is also bounded in time (Wait), so a FIFO nobody
// writes to is an error, not a hang.
//
//	data, err := readlimit.File("keys/private_key.pem", readlimit.KeySize)
//	if errors.Is(err, readlimit.ErrTooLarge) { ... }
package readlimit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Limits for the kinds of file mediacdn reads. Each is far above any real
// file of the kind and far below what would hurt a machine.
const (
	// KeySize bounds a PEM key or certificate file (an RSA 4096 key is ~3.3 KB).
	KeySize = 64 << 10
	// TemplateSize bounds a CloudFormation template or distribution config
	// JSON (CloudFormation itself accepts at most 1 MB from S3).
	TemplateSize = 16 << 20
	// ManifestSize bounds a cloud assembly manifest.json.
	ManifestSize = 16 << 20
	// PlaylistSize bounds an HLS playlist read from a file.
	PlaylistSize = 16 << 20
)

// ErrTooLarge is wrapped by the error File returns when the file holds more
// than the limit.
var ErrTooLarge = errors.New("file too large")

// Wait bounds how long File reads a FIFO, pipe or device (`--private-key
// <(vault read ...)` is a pipe); regular files, /proc files included, never
// block.
const Wait = 10 * time.Second

// wait is Wait; tests shorten it.
var wait = Wait

// File reads at most limit bytes of path. A file with more is an error that
// wraps ErrTooLarge and names the path and the limit; nothing past limit+1
// bytes is read, whatever the file is. A FIFO, pipe or device that gives no
// end of file within Wait is an error too.
func File(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK: open(2) of a FIFO without a writer would block forever.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	}
	if fi.Mode().IsRegular() {
		return Reader(f, path, limit)
	}
	deadline := time.Now().Add(wait)
	// Pipes, FIFOs and terminals take a deadline; /dev/zero and the like
	// refuse it but never block.
	_ = f.SetReadDeadline(deadline)
	var r io.Reader = f
	if fi.Mode()&os.ModeNamedPipe != 0 {
		r = &fifoReader{f: f, deadline: deadline}
	}
	data, err := Reader(r, path, limit)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, fmt.Errorf("%s: nothing to read or no end of file within %s (a FIFO or device that nobody writes to?)", path, wait)
	}
	return data, err
}

// fifoReader reads a FIFO opened without blocking, which reads as empty
// until a writer opens it: before the first byte, end of file means "no
// writer yet" and is retried until the deadline.
type fifoReader struct {
	f        *os.File
	deadline time.Time
	started  bool
}

func (r *fifoReader) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if n > 0 || r.started || err != io.EOF {
			r.started = r.started || n > 0
			return n, err
		}
		if time.Now().After(r.deadline) {
			return 0, os.ErrDeadlineExceeded
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Reader is File for an open reader (standard input, say); name is used in
// the error.
func Reader(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: more than %s (the limit for this kind of file)", name, ErrTooLarge, human(limit))
	}
	return data, nil
}

func human(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
