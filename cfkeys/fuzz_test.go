package cfkeys

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// pemSeeds adds every key and certificate in testdata, plus damaged shapes.
func pemSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.pem")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMA==\n-----END PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----\nMA==\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("ssh-ed25519 AAAA x@y"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
}

// ParsePublicKey never panics; a key it accepts is one CloudFront takes and
// round-trips through its normalised PEM to the same fingerprint.
func FuzzParsePublicKey(f *testing.F) {
	pemSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		if !(k.Type == RSA && k.Bits == RSABits) && !(k.Type == ECDSA && k.Bits == 256) {
			t.Fatalf("accepted a %s %d key", k.Type, k.Bits)
		}
		again, err := ParsePublicKey([]byte(k.PEM))
		if err != nil || again.Fingerprint() != k.Fingerprint() {
			t.Fatalf("normalised PEM does not round-trip: %v", err)
		}
	})
}

// ParsePrivateKey never panics and accepts only the two key kinds.
func FuzzParsePrivateKey(f *testing.F) {
	pemSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKey(data)
		if err != nil {
			return
		}
		der, err := x509.MarshalPKIXPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err != nil {
			t.Fatalf("accepted a private key whose public half is refused: %v", err)
		}
	})
}
