package readlimit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		limit   int64
		want    string
		tooBig  bool
		wantErr string
	}{
		{name: "under the limit", path: small, limit: 10, want: "12345"},
		{name: "exactly the limit", path: small, limit: 5, want: "12345"},
		{name: "one byte over", path: small, limit: 4, tooBig: true, wantErr: "more than 4 bytes"},
		{name: "endless character device", path: "/dev/zero", limit: 64 << 10, tooBig: true, wantErr: "more than 64 KiB"},
		{name: "directory", path: dir, limit: 10, wantErr: "is a directory"},
		{name: "missing", path: filepath.Join(dir, "nope"), limit: 10, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := File(tt.path, tt.limit)
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("File = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if errors.Is(err, ErrTooLarge) != tt.tooBig {
				t.Fatalf("errors.Is(err, ErrTooLarge) = %v, want %v", !tt.tooBig, tt.tooBig)
			}
		})
	}
}

// A FIFO has no size to stat; the limit must still hold while a writer keeps
// writing.
func TestFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo not supported here: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		chunk := make([]byte, 4096)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := w.Write(chunk); err != nil {
				return // reader closed: the limit held
			}
		}
	}()
	_, err := File(fifo, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	<-done
}

// A FIFO that nobody opens for writing: os.Open blocked forever here before
// File opened with O_NONBLOCK (the old behaviour: this test hung).
func TestFileFIFOWithoutWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo not supported here: %v", err)
	}
	defer func(w time.Duration) { wait = w }(wait)
	wait = 300 * time.Millisecond
	start := time.Now()
	_, err := File(fifo, 1<<10)
	if err == nil || !strings.Contains(err.Error(), "nobody writes to") {
		t.Fatalf("err = %v, want the no-writer error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("File took %s with a %s wait", d, wait)
	}
}

// A writer that opens the FIFO late and writes a short file: the content is
// read whole (the wait covers a writer that is not there yet).
func TestFileFIFOLateWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo not supported here: %v", err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.Write([]byte("key material\n"))
		w.Close()
	}()
	got, err := File(fifo, 1<<10)
	if err != nil || string(got) != "key material\n" {
		t.Fatalf("File = %q, %v", got, err)
	}
}
