package urlsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fixed times for deterministic tests: now is 2026-01-01T00:00:00Z.
var (
	testNow     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testExpires = testNow.Add(time.Hour) // epoch 1767229200
)

const testKeyID = "K2JCJMDEHXQW5F"

const (
	rsaPrivFile  = "testdata/test_only_rsa2048_private.pem"
	rsaPubFile   = "testdata/test_only_rsa2048_public.pem"
	ecPrivFile   = "testdata/test_only_p256_private.pem"
	ecPubFile    = "testdata/test_only_p256_public.pem"
	otherPubFile = "testdata/test_only_other_rsa2048_public.pem"
)

func readPEM(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: not PEM", path)
	}
	return blk.Bytes
}

func loadPrivate(t testing.TB, path string) crypto.Signer {
	t.Helper()
	k, err := x509.ParsePKCS8PrivateKey(readPEM(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func loadRSA(t testing.TB) *rsa.PrivateKey     { return loadPrivate(t, rsaPrivFile).(*rsa.PrivateKey) }
func loadECDSA(t testing.TB) *ecdsa.PrivateKey { return loadPrivate(t, ecPrivFile).(*ecdsa.PrivateKey) }

func loadPublic(t testing.TB, path string) crypto.PublicKey {
	t.Helper()
	k, err := x509.ParsePKIXPublicKey(readPEM(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fixedClock() time.Time { return testNow }

func newTestSigner(t testing.TB, key crypto.Signer, h HashAlgorithm) *Signer {
	t.Helper()
	s, err := New(testKeyID, key, WithHash(h), WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// needOpenSSL returns the openssl path or skips the test with the reason.
func needOpenSSL(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not on PATH: the cross-check against OpenSSL cannot run (install openssl to run it)")
	}
	return p
}

// opensslDgst runs `openssl dgst -<hash> args... data` over data and returns stdout.
func opensslDgst(t *testing.T, hash string, data []byte, args ...string) ([]byte, error) {
	t.Helper()
	bin := needOpenSSL(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	full := append([]string{"dgst", "-" + hash}, args...)
	full = append(full, in)
	cmd := exec.Command(bin, full...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, errors.New(err.Error() + ": " + stderr.String())
	}
	return out, nil
}

// opensslSign signs data with `openssl dgst -<hash> -sign key`.
func opensslSign(t *testing.T, hash, keyFile string, data []byte) []byte {
	t.Helper()
	sig, err := opensslDgst(t, hash, data, "-sign", keyFile)
	if err != nil {
		t.Fatalf("openssl dgst -%s -sign: %v", hash, err)
	}
	return sig
}

// opensslVerify checks sig over data with `openssl dgst -<hash> -verify pub -signature sig`.
func opensslVerify(t *testing.T, hash, pubFile string, data, sig []byte) bool {
	t.Helper()
	sigFile := filepath.Join(t.TempDir(), "sig.bin")
	if err := os.WriteFile(sigFile, sig, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := opensslDgst(t, hash, data, "-verify", pubFile, "-signature", sigFile)
	return err == nil && strings.TrimSpace(string(out)) == "Verified OK"
}

// cfBase64 is an independent implementation of CloudFront's alphabet for
// the tests: standard base64 from OpenSSL, then a character loop.
func cfBase64(t *testing.T, data []byte) string {
	t.Helper()
	bin := needOpenSSL(t)
	f := filepath.Join(t.TempDir(), "in.bin")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "base64", "-A", "-in", f).Output()
	if err != nil {
		t.Fatal(err)
	}
	b := []byte(strings.TrimSpace(string(out)))
	for i, c := range b {
		switch c {
		case '+':
			b[i] = '-'
		case '=':
			b[i] = '_'
		case '/':
			b[i] = '~'
		}
	}
	return string(b)
}

// wantErr checks err wraps want and mentions every substring.
func wantErr(t *testing.T, err, want error, substrings ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v", want)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	for _, s := range substrings {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}
