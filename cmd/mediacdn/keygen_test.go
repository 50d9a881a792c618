package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
)

// cli runs the CLI in-process and returns the exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// fixNow pins the CLI clock for one test.
func fixNow(t *testing.T, at time.Time) {
	t.Helper()
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestKeygenWrites(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		typ      cfkeys.KeyType
		bits     int
		typeWord string
	}{
		{nil, cfkeys.RSA, 2048, "RSA 2048 private key"},
		{[]string{"--type", "rsa"}, cfkeys.RSA, 2048, "RSA 2048 private key"},
		{[]string{"--type", "ECDSA"}, cfkeys.ECDSA, 256, "ECDSA P-256 private key"},
	} {
		t.Run(string(tc.typ)+strings.Join(tc.args, ""), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new", "keys") // missing: created
			code, stdout, stderr := cli(t, append([]string{"keygen", "--out", dir}, tc.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			priv, pub := filepath.Join(dir, "private_key.pem"), filepath.Join(dir, "public_key.pem")
			if m := fileMode(t, priv); m != 0o600 {
				t.Errorf("private_key.pem mode %o, want 600", m)
			}
			if m := fileMode(t, pub); m != 0o644 {
				t.Errorf("public_key.pem mode %o, want 644", m)
			}
			privPEM, _ := os.ReadFile(priv)
			pubPEM, _ := os.ReadFile(pub)
			signer, err := cfkeys.ParsePrivateKey(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			pk, err := cfkeys.ParsePublicKey(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			if pk.Type != tc.typ || pk.Bits != tc.bits {
				t.Errorf("public key %s/%d", pk.Type, pk.Bits)
			}
			again, err := cfkeys.ParsePublicKey(pemOfPublic(t, signer.Public()))
			if err != nil || again.Fingerprint() != pk.Fingerprint() {
				t.Errorf("private and public keys do not match")
			}
			mustContain(t, "stdout", stdout,
				tc.typeWord, "mode 0600", pk.Fingerprint(),
				`"publicKeyFiles"`, "cdk.json", filepath.ToSlash(pub), "Key-Pair-Id",
				"out of the repository", "secrets manager", "mediacdn upload ./video s3://BUCKET/video")
		})
	}
}

func TestKeygenNeverOverwrites(t *testing.T) {
	for _, existing := range []string{"private_key.pem", "public_key.pem"} {
		t.Run(existing, func(t *testing.T) {
			dir := t.TempDir()
			old := []byte("precious bytes\n")
			path := filepath.Join(dir, existing)
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := cli(t, "keygen", "--out", dir)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			mustContain(t, "stderr", stderr, path, "already exists", "nothing was written")
			if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
				t.Errorf("%s was changed", existing)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d files, want only the pre-existing one", len(entries))
			}
		})
	}
}

func TestKeygenUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  []string
	}{
		{[]string{"keygen"}, 2, []string{"--out is required"}},
		{[]string{"keygen", "--out", "x", "--type", "ed25519"}, 2, []string{`unknown --type "ed25519"`, "rsa", "ecdsa"}},
		{[]string{"keygen", "--out", "x", "extra"}, 2, []string{"unknown command"}},
		{[]string{"keygen", "--bits", "4096"}, 2, []string{"unknown flag: --bits"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			mustContain(t, "stderr", stderr, tc.msg...)
		})
	}
	// --out inside a file: a failure, not a usage error, and nothing left behind.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "keygen", "--out", filepath.Join(f, "keys"))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	mustContain(t, "stderr", stderr, "nothing was written")
}

func TestKeygenWarnsInsideGitRepo(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := cli(t, "keygen", "--out", filepath.Join(repo, "keys"), "--type", "ecdsa")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	mustContain(t, "stdout", stdout, "inside the git repository", "echo private_key.pem >>")

	code, stdout, _ = cli(t, "keygen", "--out", filepath.Join(t.TempDir(), "keys"), "--type", "ecdsa")
	if code != 0 || strings.Contains(stdout, "git repository") {
		t.Errorf("exit %d, unexpected warning outside a repository:\n%s", code, stdout)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	for _, tc := range []struct {
		cmd   string
		flags []string
	}{
		{"keygen", []string{"--out", "--type"}},
		{"sign", []string{"--url", "--key-pair-id", "--private-key", "--expires", "--resource", "--not-before", "--ip", "--cookies", "--cookie-domain", "--cookie-path", "--cookie-samesite", "--hash"}},
		{"verify", []string{"--public-key", "--url", "--at", "--cookie", "--cookie-header"}},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			code, stdout, _ := cli(t, tc.cmd, "--help")
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			mustContain(t, "help", stdout, append(tc.flags, "Examples:", "mediacdn "+tc.cmd+" --")...)
		})
	}
}
