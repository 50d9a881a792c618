package cfkeys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// opensslFingerprints reads the fingerprints gen.sh computed with openssl.
func opensslFingerprints(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(readTestdata(t, "fingerprints.txt"))), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || len(f[1]) != 64 {
			t.Fatalf("bad fingerprints.txt line %q", line)
		}
		m[f[0]] = f[1]
	}
	return m
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func mustPKIX(t *testing.T, k crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// rewrap re-encodes one PEM block with a different layout: base64 on one
// line, CRLF line ends, text around the block.
func rewrap(t *testing.T, in []byte) []byte {
	t.Helper()
	b, _ := pem.Decode(in)
	if b == nil {
		t.Fatal("rewrap: not PEM")
	}
	s := "comment before the block\r\n-----BEGIN " + b.Type + "-----\r\n" +
		base64.StdEncoding.EncodeToString(b.Bytes) + "\r\n-----END " + b.Type + "-----\r\n\r\n  trailing text\n"
	return []byte(s)
}

func TestParsePublicKeyAccepts(t *testing.T) {
	fps := opensslFingerprints(t)
	rsaPEM := readTestdata(t, "rsa2048_public.pem")
	p256PEM := readTestdata(t, "p256_public.pem")

	tests := []struct {
		name     string
		in       []byte
		wantType KeyType
		wantBits int
		wantFP   string // from openssl
		wantPEM  []byte // normalized output
	}{
		{"rsa2048 PKIX", rsaPEM, RSA, 2048, fps["rsa2048_public.pem"], rsaPEM},
		{"rsa2048 PKCS#1 normalized to PKIX", readTestdata(t, "rsa2048_public_pkcs1.pem"), RSA, 2048, fps["rsa2048_public.pem"], rsaPEM},
		{"rsa2048 rewrapped, CRLF, surrounding text", rewrap(t, rsaPEM), RSA, 2048, fps["rsa2048_public.pem"], rsaPEM},
		{"p256 PKIX", p256PEM, ECDSA, 256, fps["p256_public.pem"], p256PEM},
		{"p256 rewrapped", rewrap(t, p256PEM), ECDSA, 256, fps["p256_public.pem"], p256PEM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePublicKey(tc.in)
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if k.Type != tc.wantType || k.Bits != tc.wantBits {
				t.Errorf("Type, Bits = %q, %d; want %q, %d", k.Type, k.Bits, tc.wantType, tc.wantBits)
			}
			if got := k.Fingerprint(); got != tc.wantFP {
				t.Errorf("Fingerprint = %s; openssl says %s", got, tc.wantFP)
			}
			if k.PEM != string(tc.wantPEM) {
				t.Errorf("PEM =\n%s\nwant\n%s", k.PEM, tc.wantPEM)
			}
			switch tc.wantType {
			case RSA:
				if _, ok := k.Key.(*rsa.PublicKey); !ok {
					t.Errorf("Key is %T", k.Key)
				}
			case ECDSA:
				if _, ok := k.Key.(*ecdsa.PublicKey); !ok {
					t.Errorf("Key is %T", k.Key)
				}
			}
		})
	}
}

func TestFingerprintWithoutParse(t *testing.T) {
	// A PublicKey built by hand (no cached DER) fingerprints the same.
	fps := opensslFingerprints(t)
	k, err := ParsePublicKey(readTestdata(t, "p256_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	manual := &PublicKey{Key: k.Key, Type: k.Type, Bits: k.Bits}
	if got := manual.Fingerprint(); got != fps["p256_public.pem"] {
		t.Errorf("Fingerprint = %s, want %s", got, fps["p256_public.pem"])
	}
}

func TestParsePublicKeyRejects(t *testing.T) {
	rsaPub := readTestdata(t, "rsa2048_public.pem")
	p256Pub := readTestdata(t, "p256_public.pem")
	cert := readTestdata(t, "rsa2048_cert.pem")
	der, _ := pem.Decode(rsaPub)

	k3072, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	privateWords := []string{"private key", "never be put in the config or the repository", "openssl pkey -in private_key.pem -pubout", "mediacdn keygen"}
	tests := []struct {
		name string
		in   []byte
		err  error
		msg  []string // substrings the message must contain
	}{
		{"empty", nil, ErrNotPEM, []string{"not PEM", "empty", "BEGIN PUBLIC KEY"}},
		{"plain text", []byte("hello world"), ErrNotPEM, []string{"not PEM", "no \"-----BEGIN"}},
		{"OpenSSH public key", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host\n"), ErrNotPEM, []string{"OpenSSH public key", "ssh-keygen -e -m PKCS8"}},
		{"DER bytes", der.Bytes, ErrNotPEM, []string{"binary DER", "openssl pkey -inform DER"}},
		{"damaged armor", []byte("-----BEGIN PUBLIC KEY-----\nMIIB\n"), ErrNotPEM, []string{"PEM armor is damaged"}},
		{"two public keys", append(append([]byte{}, rsaPub...), p256Pub...), ErrMultiplePEMBlocks, []string{"more than one PEM block", "2 blocks", `"PUBLIC KEY", "PUBLIC KEY"`, "exactly one key per file"}},
		{"public key then certificate", append(append([]byte{}, rsaPub...), cert...), ErrMultiplePEMBlocks, []string{"more than one PEM block", `"CERTIFICATE"`}},
		{"PKCS#8 private key", readTestdata(t, "test_only_rsa2048_private.pem"), ErrPrivateKeyGiven, append([]string{`"PRIVATE KEY"`}, privateWords...)},
		{"PKCS#1 private key", readTestdata(t, "test_only_rsa2048_private_pkcs1.pem"), ErrPrivateKeyGiven, append([]string{`"RSA PRIVATE KEY"`}, privateWords...)},
		{"SEC1 private key after EC PARAMETERS", readTestdata(t, "test_only_p256_private_sec1.pem"), ErrPrivateKeyGiven, append([]string{`"EC PRIVATE KEY"`}, privateWords...)},
		{"encrypted private key", readTestdata(t, "test_only_rsa2048_private_encrypted.pem"), ErrPrivateKeyGiven, append([]string{`"ENCRYPTED PRIVATE KEY"`}, privateWords...)},
		{"certificate plus private key", append(append([]byte{}, cert...), readTestdata(t, "test_only_p256_private.pem")...), ErrPrivateKeyGiven, privateWords},
		{"certificate", cert, ErrCertificate, []string{"certificate", "bare public key", "openssl x509 -in cert.pem -pubkey -noout"}},
		{"RSA 1024", readTestdata(t, "rsa1024_public.pem"), ErrUnsupportedRSASize, []string{"RSA 1024-bit public key", "CloudFront accepts RSA 2048 or ECDSA P-256 keys only"}},
		{"RSA 4096", readTestdata(t, "rsa4096_public.pem"), ErrUnsupportedRSASize, []string{"RSA 4096-bit public key", "exactly 2048 bits"}},
		{"RSA 3072 PKCS#1", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k3072.PublicKey)), ErrUnsupportedRSASize, []string{"RSA 3072-bit", "2048"}},
		{"P-384", readTestdata(t, "p384_public.pem"), ErrUnsupportedCurve, []string{"ECDSA public key on curve P-384", "P-256", "prime256v1"}},
		{"P-521", pemOf("PUBLIC KEY", mustPKIX(t, &p521.PublicKey)), ErrUnsupportedCurve, []string{"curve P-521", "P-256"}},
		{"secp256k1 (unparseable by Go)", readTestdata(t, "secp256k1_public.pem"), ErrUnsupportedCurve, []string{"curve secp256k1", "P-256"}},
		{"Ed25519", readTestdata(t, "ed25519_public.pem"), ErrUnsupportedKeyType, []string{"public key is Ed25519", "CloudFront accepts RSA 2048 or ECDSA P-256 keys only"}},
		{"unknown block type", pemOf("DH PARAMETERS", []byte{1, 2, 3}), ErrUnknownPEMType, []string{`unexpected PEM block "DH PARAMETERS"`, "BEGIN PUBLIC KEY"}},
		{"garbage in PUBLIC KEY block", pemOf("PUBLIC KEY", []byte("garbage")), ErrMalformedKey, []string{"malformed key", "SubjectPublicKeyInfo"}},
		{"garbage in RSA PUBLIC KEY block", pemOf("RSA PUBLIC KEY", []byte("garbage")), ErrMalformedKey, []string{"malformed key", "PKCS#1"}},
	}
	sentinels := []error{ErrNotPEM, ErrMultiplePEMBlocks, ErrPrivateKeyGiven, ErrPublicKeyGiven, ErrCertificate, ErrEncryptedKey,
		ErrUnsupportedRSASize, ErrUnsupportedCurve, ErrUnsupportedKeyType, ErrUnknownPEMType, ErrMalformedKey}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePublicKey(tc.in)
			if err == nil {
				t.Fatalf("ParsePublicKey succeeded (%v); want %v", k.Type, tc.err)
			}
			assertErr(t, err, tc.err, tc.msg, sentinels)
		})
	}
}

// assertErr checks err wraps want (and no other sentinel) and contains every msg substring.
func assertErr(t *testing.T, err, want error, msg []string, sentinels []error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Errorf("error %q also wraps %q", err, s)
		}
	}
	for _, m := range msg {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not contain %q", err, m)
		}
	}
}

func TestParsePrivateKey(t *testing.T) {
	rsaPub, err := ParsePublicKey(readTestdata(t, "rsa2048_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	p256Pub, err := ParsePublicKey(readTestdata(t, "p256_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file    string
		wantPub *PublicKey // nil: any key of the right type
		rsa     bool
	}{
		{"test_only_rsa2048_private.pem", rsaPub, true},
		{"test_only_rsa2048_private_pkcs1.pem", rsaPub, true},
		{"test_only_p256_private.pem", p256Pub, false},
		{"test_only_p256_private_sec1.pem", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s, err := ParsePrivateKey(readTestdata(t, tc.file))
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			switch k := s.(type) {
			case *rsa.PrivateKey:
				if !tc.rsa || k.N.BitLen() != 2048 {
					t.Errorf("got RSA %d", k.N.BitLen())
				}
			case *ecdsa.PrivateKey:
				if tc.rsa || k.Curve != elliptic.P256() {
					t.Errorf("got ECDSA %s", k.Curve.Params().Name)
				}
			default:
				t.Fatalf("got %T", s)
			}
			if tc.wantPub != nil {
				if !bytes.Equal(mustPKIX(t, s.Public()), mustPKIX(t, tc.wantPub.Key)) {
					t.Errorf("private key does not match %s's public key", tc.file)
				}
			}
		})
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	rsaPriv := readTestdata(t, "test_only_rsa2048_private.pem")
	k3072, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	pk3072, err := x509.MarshalPKCS8PrivateKey(k3072)
	if err != nil {
		t.Fatal(err)
	}
	sentinels := []error{ErrNotPEM, ErrMultiplePEMBlocks, ErrPrivateKeyGiven, ErrPublicKeyGiven, ErrCertificate, ErrEncryptedKey,
		ErrUnsupportedRSASize, ErrUnsupportedCurve, ErrUnsupportedKeyType, ErrUnknownPEMType, ErrMalformedKey}
	tests := []struct {
		name string
		in   []byte
		err  error
		msg  []string
	}{
		{"PKIX public key", readTestdata(t, "rsa2048_public.pem"), ErrPublicKeyGiven, []string{"this is a public key", "signing needs the private key"}},
		{"PKCS#1 public key", readTestdata(t, "rsa2048_public_pkcs1.pem"), ErrPublicKeyGiven, []string{"this is a public key", `"RSA PUBLIC KEY"`, "signing needs the private key"}},
		{"certificate", readTestdata(t, "rsa2048_cert.pem"), ErrCertificate, []string{"certificate", "signing needs the private key"}},
		{"encrypted PKCS#8", readTestdata(t, "test_only_rsa2048_private_encrypted.pem"), ErrEncryptedKey, []string{"encrypted with a passphrase", "openssl pkey -in encrypted.pem -out private_key.pem"}},
		{"encrypted legacy PEM", readTestdata(t, "test_only_rsa2048_private_encrypted_legacy.pem"), ErrEncryptedKey, []string{"encrypted with a passphrase", `"RSA PRIVATE KEY"`}},
		{"RSA 1024", readTestdata(t, "test_only_rsa1024_private.pem"), ErrUnsupportedRSASize, []string{"RSA 1024-bit private key", "2048"}},
		{"RSA 3072", pemOf("PRIVATE KEY", pk3072), ErrUnsupportedRSASize, []string{"RSA 3072-bit private key"}},
		{"P-384", readTestdata(t, "test_only_p384_private.pem"), ErrUnsupportedCurve, []string{"ECDSA private key on curve P-384", "P-256"}},
		{"Ed25519", readTestdata(t, "test_only_ed25519_private.pem"), ErrUnsupportedKeyType, []string{"private key is Ed25519", "RSA 2048 or ECDSA P-256"}},
		{"OpenSSH private key", pemOf("OPENSSH PRIVATE KEY", []byte("x")), ErrUnsupportedKeyType, []string{"OpenSSH-format private key", "ssh-keygen -p -m PKCS8"}},
		{"two private keys", append(append([]byte{}, rsaPriv...), rsaPriv...), ErrMultiplePEMBlocks, []string{"more than one PEM block", "BEGIN PRIVATE KEY"}},
		{"not PEM", []byte("secret"), ErrNotPEM, []string{"not PEM", "BEGIN PRIVATE KEY"}},
		{"unknown block", pemOf("FOO", []byte{1}), ErrUnknownPEMType, []string{`unexpected PEM block "FOO"`}},
		{"garbage PKCS#8", pemOf("PRIVATE KEY", []byte("garbage")), ErrMalformedKey, []string{"malformed key", `"PRIVATE KEY"`}},
		{"garbage SEC1", pemOf("EC PRIVATE KEY", []byte("garbage")), ErrMalformedKey, []string{"malformed key", `"EC PRIVATE KEY"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParsePrivateKey(tc.in)
			if err == nil {
				t.Fatalf("ParsePrivateKey succeeded (%T); want %v", s, tc.err)
			}
			assertErr(t, err, tc.err, tc.msg, sentinels)
		})
	}
}

func TestGenerateKeyPair(t *testing.T) {
	tests := []struct {
		typ  KeyType
		bits int
	}{
		{RSA, 2048},
		{ECDSA, 256},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ), func(t *testing.T) {
			privPEM, pubPEM, err := GenerateKeyPair(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(privPEM, []byte("-----BEGIN PRIVATE KEY-----\n")) {
				t.Errorf("private key is not PKCS#8 PEM: %.40q", privPEM)
			}
			pub, err := ParsePublicKey(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			if pub.Type != tc.typ || pub.Bits != tc.bits {
				t.Errorf("public key is %s/%d; want %s/%d", pub.Type, pub.Bits, tc.typ, tc.bits)
			}
			if pub.PEM != string(pubPEM) {
				t.Errorf("generated public PEM is not in normalized form")
			}
			priv, err := ParsePrivateKey(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mustPKIX(t, priv.Public()), mustPKIX(t, pub.Key)) {
				t.Error("private and public keys do not match")
			}
			// The public key must not be usable as a private one, and vice versa.
			if _, err := ParsePrivateKey(pubPEM); !errors.Is(err, ErrPublicKeyGiven) {
				t.Errorf("ParsePrivateKey(public) = %v", err)
			}
			if _, err := ParsePublicKey(privPEM); !errors.Is(err, ErrPrivateKeyGiven) {
				t.Errorf("ParsePublicKey(private) = %v", err)
			}
			// Two generated pairs differ.
			_, pub2, err := GenerateKeyPair(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(pubPEM, pub2) {
				t.Error("two generated keys are identical")
			}
		})
	}
	t.Run("unknown type", func(t *testing.T) {
		_, _, err := GenerateKeyPair("ed25519")
		if !errors.Is(err, ErrUnsupportedKeyType) || !strings.Contains(err.Error(), `unsupported key type "ed25519"`) || !strings.Contains(err.Error(), `"ecdsa"`) {
			t.Errorf("err = %v", err)
		}
	})
}
