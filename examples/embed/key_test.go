package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadPublicKeyBounded: a path to something endless (/dev/zero) or
// large fails at the bound instead of reading it all; a real key reads.
func TestReadPublicKeyBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, make([]byte, maxKeyFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", big} {
		if _, err := readPublicKey(path); err == nil || !strings.Contains(err.Error(), "which is no PEM public key") {
			t.Errorf("readPublicKey(%s) = %v, want the size error", path, err)
		}
	}
	if data, err := readPublicKey("public_key.pem"); err != nil || !strings.Contains(string(data), "BEGIN PUBLIC KEY") {
		t.Errorf("readPublicKey(public_key.pem) = %q, %v", data, err)
	}
}
