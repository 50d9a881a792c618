package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
)

// Key files that are not ordinary files. Before the keys were read through
// internal/readlimit, `sign --private-key /dev/zero` (and an endless FIFO)
// grew without bound until the machine ran out of memory; these cases then
// never returned.
func TestKeyFilesAreBounded(t *testing.T) {
	fixNow(t, cliNow)
	priv, pub, _ := testKeys(t, cfkeys.RSA)
	privPEM, err := os.ReadFile(priv)
	if err != nil {
		t.Fatal(err)
	}
	// fifo returns a FIFO whose writer, once a reader opens it, runs write.
	fifo := func(t *testing.T, write func(w *os.File)) string {
		path := filepath.Join(t.TempDir(), "key.pem")
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		go func() {
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer w.Close()
			write(w)
		}()
		return path
	}
	// endlessFIFO is filled until the reader goes away.
	endlessFIFO := func(t *testing.T) string {
		return fifo(t, func(w *os.File) {
			chunk := make([]byte, 4096)
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
	}
	// keyFIFO passes the real key once, as `--private-key <(vault read ...)`
	// does: pipes keep working.
	keyFIFO := func(t *testing.T, data []byte) string {
		return fifo(t, func(w *os.File) { w.Write(data) })
	}
	signArgs := func(key string) []string {
		return []string{"sign", "--url", "https://media.example.com/a.jpg", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", key, "--expires", "1h"}
	}
	verifyArgs := func(key string) []string {
		return []string{"verify", "--public-key", key, "https://media.example.com/a.jpg?Expires=1767229200&Signature=AAAA&Key-Pair-Id=K2JCJMDEHXQW5F"}
	}
	tooLarge := []string{"mediacdn: cannot read", "file too large", "more than 64 KiB", "a PEM key is a few KB"}
	tests := []struct {
		name string
		args func(t *testing.T) []string
		code int
		msg  []string
	}{
		{"sign, character device", func(*testing.T) []string { return signArgs("/dev/zero") }, 1, append(tooLarge, "--private-key: /dev/zero", "nothing was signed")},
		{"sign, endless FIFO", func(t *testing.T) []string { return signArgs(endlessFIFO(t)) }, 1, append(tooLarge, "--private-key")},
		{"sign, /proc file larger than a key", func(t *testing.T) []string {
			if _, err := os.ReadFile("/proc/kallsyms"); err != nil { // sizes 0 in stat, megabytes when read
				t.Skipf("no readable /proc/kallsyms: %v", err)
			}
			return signArgs("/proc/kallsyms")
		}, 1, append(tooLarge, "/proc/kallsyms")},
		{"sign, small /proc file", func(*testing.T) []string { return signArgs("/proc/self/stat") }, 1, []string{"--private-key /proc/self/stat", "not PEM"}},
		{"sign, directory", func(t *testing.T) []string { return signArgs(t.TempDir()) }, 1, []string{"cannot read --private-key", "is a directory"}},
		{"sign, key through a FIFO works", func(t *testing.T) []string { return signArgs(keyFIFO(t, privPEM)) }, 0, nil},
		{"verify, character device", func(*testing.T) []string { return verifyArgs("/dev/zero") }, 1, append(tooLarge, "--public-key: /dev/zero")},
		{"verify, endless FIFO", func(t *testing.T) []string { return verifyArgs(endlessFIFO(t)) }, 1, append(tooLarge, "--public-key")},
		{"verify, public key file works", func(*testing.T) []string { return verifyArgs(pub) }, 1, []string{"bad signature"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args(t)
			done := make(chan struct{})
			var code int
			var stdout, stderr string
			go func() {
				defer close(done)
				code, stdout, stderr = cli(t, args...)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the CLI did not return within 30 s")
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tc.code, stdout, stderr)
			}
			mustContain(t, "stderr+stdout", stderr+stdout, tc.msg...)
		})
	}
}

// URLs through the CLI: malformed hosts and ports are usage errors (the old
// parser signed all of the refused ones), dot segments are resolved before
// signing, and verify --url applies the wildcard to the resolved path (the
// old verify said VALID for the "../secret" case).
func TestSignAndVerifyParseURLsStrictly(t *testing.T) {
	fixNow(t, cliNow)
	priv, pub, _ := testKeys(t, cfkeys.ECDSA)
	sign := func(url string, extra ...string) []string {
		return append([]string{"sign", "--url", url, "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "1h"}, extra...)
	}
	for _, tc := range []struct{ url, msg string }{
		{"https://::443", "more than one ':'"},
		{"https://a:b:443/x", "more than one ':'"},
		{"https://media.example.com:99999/a.jpg", "ports go up to 65535"},
		{"https://user@media.example.com/a.jpg", "user information"},
		{"https://127.1/a.jpg", "numeric host"},
		{"https://:443/a.jpg", "no host"},
	} {
		code, stdout, stderr := cli(t, sign(tc.url)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("sign --url %s: exit %d, stdout %q, stderr %q; want exit 2 with %q", tc.url, code, stdout, stderr, tc.msg)
		}
	}
	code, _, stderr := cli(t, sign("https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/../*")...)
	if code != 2 || !strings.Contains(stderr, `".." path segment`) {
		t.Errorf("resource with ..: exit %d, stderr %q", code, stderr)
	}

	lines := signedFixture(t, priv, "--url", "https://Media.Example.com:443/v/abc/./x/../index.m3u8", "--resource", "https://media.example.com/v/abc/*", "--expires", "1h")
	if !strings.HasPrefix(lines[0], "https://media.example.com/v/abc/index.m3u8?Policy=") {
		t.Fatalf("signed URL %q is not in the browser's form", lines[0])
	}
	for _, tc := range []struct {
		url  string
		code int
	}{
		{"https://media.example.com/v/abc/720p/s1.ts", 0},
		{"https://media.example.com/v/abc/../secret/x.ts", 1},
		{"https://media.example.com/v/abc/%2E%2E/secret/x.ts", 1},
	} {
		code, stdout, _ := cli(t, "verify", "--public-key", pub, "--url", tc.url, lines[0])
		if code != tc.code {
			t.Errorf("verify --url %s: exit %d, want %d\n%s", tc.url, code, tc.code, stdout)
		}
	}
}

// Error messages can carry names from outside unquoted (the path in an os
// error, an unknown flag); before errorLine they reached the terminal raw,
// so a file name could clear the screen or add a line of its own.
func TestErrorMessagesAreEscaped(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, _ := testKeys(t, cfkeys.RSA)
	const evil = "x\x1b[2J\nmediacdn: VALID\u202e"
	missing := filepath.Join(t.TempDir(), evil)
	file := filepath.Join(t.TempDir(), evil)
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // escaped form expected in the message
	}{
		{"sign, key path", []string{"sign", "--url", "https://m.example.com/a", "--key-pair-id", "K", "--private-key", missing, "--expires", "1h"}, `x\x1b[2J\nmediacdn: VALID\u{202e}`},
		{"verify, key path", []string{"verify", "--public-key", missing, "https://m.example.com/a?Expires=1&Signature=AAAA&Key-Pair-Id=K"}, `x\x1b[2J\nmediacdn: VALID\u{202e}`},
		{"keygen, out dir", []string{"keygen", "--out", filepath.Join(file, "sub")}, `x\x1b[2J\nmediacdn: VALID\u{202e}`},
		{"unknown flag", []string{"sign", "--" + evil}, `--x\x1b[2J\nmediacdn: VALID\u{202e}`},
		{"unknown command", []string{evil}, `unknown command "x\x1b[2J\nmediacdn: VALID\u202e"`}, // quoted by cobra
		// Already quoted with %q (and so free of controls): printed as is,
		// not with its backslashes doubled.
		{"quoted value", []string{"sign", "--url", "https://m.example.com/a", "--key-pair-id", "K", "--private-key", priv, "--expires", "1h", "--ip", "\x1b"}, `IP address "\x1b" is not`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(t, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0; stderr %q", stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if strings.ContainsAny(strings.TrimSuffix(stderr, "\n"), "\x1b\n\r\u202e") {
				t.Errorf("stderr holds raw control characters: %q", stderr)
			}
			mustContain(t, "stderr", stderr, tc.want)
		})
	}
}

// keygen prints --out back in its report and in a cdk.json snippet: the
// text escaped (it was printed raw), the snippet valid JSON for any name
// (it was built by pasting the path between quotes).
func TestKeygenPrintsOutEscaped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k\x1b[2J\"q\nFAKE")
	code, stdout, stderr := cli(t, "keygen", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if strings.ContainsAny(stdout, "\x1b\r") || strings.Contains(stdout, "\nFAKE") {
		t.Errorf("stdout holds the raw name: %q", stdout)
	}
	mustContain(t, "stdout", stdout, `k\x1b[2J"q\nFAKE/private_key.pem`)
	_, snippet, ok := strings.Cut(stdout, `{"publicKeyFiles": `)
	if !ok {
		t.Fatalf("no cdk.json snippet in %q", stdout)
	}
	snippet, _, _ = strings.Cut(snippet, "}")
	var files []string
	if err := json.Unmarshal([]byte(snippet), &files); err != nil || len(files) != 1 || files[0] != filepath.ToSlash(filepath.Join(dir, "public_key.pem")) {
		t.Errorf("snippet %s: %v %q", snippet, err, files)
	}
}
