// Package cfkeys parses, checks and generates the key pairs that CloudFront
// uses for signed URLs and signed cookies.
//
// CloudFront accepts exactly two kinds of public key in a key group: RSA 2048
// and ECDSA on the NIST P-256 curve, uploaded as one PEM "PUBLIC KEY" (PKIX)
// block. ParsePublicKey enforces that and says, in words, what was found
// instead; ParsePrivateKey loads the matching private key for signing;
// GenerateKeyPair makes a new pair.
//
//	pub, err := cfkeys.ParsePublicKey(pemBytes)
//	if err != nil {
//		return err // e.g. errors.Is(err, cfkeys.ErrPrivateKeyGiven)
//	}
//	id := "PublicKey" + pub.Fingerprint()[:16]
//
// Every error wraps one of the exported Err* sentinels, so callers can tell
// the cases apart with errors.Is. The package never prints and never exits.
package cfkeys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// KeyType names a key algorithm CloudFront accepts: "rsa" or "ecdsa".
type KeyType string

// The two key types CloudFront accepts.
const (
	// RSA is an RSA 2048 key.
	RSA KeyType = "rsa"
	// ECDSA is an ECDSA key on the NIST P-256 curve (prime256v1, secp256r1).
	ECDSA KeyType = "ecdsa"
)

// RSABits is the only RSA modulus size CloudFront accepts.
const RSABits = 2048

// Sentinel errors. Every error returned by this package wraps exactly one of
// them; the message adds what was found and what to do.
var (
	// ErrNotPEM: the input holds no PEM block at all.
	ErrNotPEM = errors.New("not PEM")
	// ErrMultiplePEMBlocks: the input holds more than one key or certificate block.
	ErrMultiplePEMBlocks = errors.New("more than one PEM block")
	// ErrPrivateKeyGiven: a private key was given where a public key is expected.
	ErrPrivateKeyGiven = errors.New("private key given where a public key is expected")
	// ErrPublicKeyGiven: a public key was given where a private key is expected.
	ErrPublicKeyGiven = errors.New("public key given where a private key is expected")
	// ErrCertificate: an X.509 certificate was given instead of a bare key.
	ErrCertificate = errors.New("certificate given instead of a key")
	// ErrEncryptedKey: the private key is encrypted with a passphrase.
	ErrEncryptedKey = errors.New("encrypted private key")
	// ErrUnsupportedRSASize: an RSA key of a size other than 2048 bits.
	ErrUnsupportedRSASize = errors.New("unsupported RSA key size")
	// ErrUnsupportedCurve: an ECDSA key on a curve other than P-256.
	ErrUnsupportedCurve = errors.New("unsupported elliptic curve")
	// ErrUnsupportedKeyType: a key that is neither RSA nor ECDSA (Ed25519, DSA, ...),
	// or an unknown KeyType passed to GenerateKeyPair.
	ErrUnsupportedKeyType = errors.New("unsupported key type")
	// ErrUnknownPEMType: a PEM block whose type is not a key or certificate.
	ErrUnknownPEMType = errors.New("unknown PEM block type")
	// ErrMalformedKey: the PEM block's content does not decode as the key its type announces.
	ErrMalformedKey = errors.New("malformed key")
)

// accepted is the part of every "wrong key" message that says what CloudFront takes.
const accepted = "CloudFront accepts RSA 2048 or ECDSA P-256 keys only"

// keyErr wraps a sentinel with a full, self-contained message.
type keyErr struct {
	sentinel error
	msg      string
}

func (e *keyErr) Error() string { return e.msg }
func (e *keyErr) Unwrap() error { return e.sentinel }

func errorf(sentinel error, format string, args ...any) error {
	return &keyErr{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// PublicKey is a CloudFront-compatible public key.
type PublicKey struct {
	// Key is a *rsa.PublicKey or a *ecdsa.PublicKey.
	Key crypto.PublicKey
	// Type is RSA or ECDSA.
	Type KeyType
	// Bits is 2048 for RSA and 256 for P-256.
	Bits int
	// PEM is the normalized form CloudFront takes: one "-----BEGIN PUBLIC KEY-----"
	// PKIX block with 64-column base64 and a trailing newline.
	PEM string

	der []byte // canonical DER SubjectPublicKeyInfo
}

// Fingerprint returns the lowercase hex SHA-256 of the key's DER
// SubjectPublicKeyInfo (64 characters). It depends only on the key, not on
// how the PEM was formatted or whether it was given in PKCS#1 form, so it is
// stable enough to derive CloudFormation logical ids from. It equals
// `openssl pkey -pubin -in public_key.pem -outform DER | openssl dgst -sha256`.
func (k *PublicKey) Fingerprint() string {
	der := k.der
	if der == nil {
		var err error
		if der, err = x509.MarshalPKIXPublicKey(k.Key); err != nil {
			return ""
		}
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// privateKeyAdvice is appended to every "you gave a private key" message.
const privateKeyAdvice = "a private key must never be put in the config or the repository (if it was committed, treat it as leaked and generate a new pair). " +
	"Give the public key instead: derive it with `openssl pkey -in private_key.pem -pubout -out public_key.pem`, " +
	"or generate a new pair with `mediacdn keygen --out DIR`, which writes public_key.pem next to private_key.pem"

// ParsePublicKey parses exactly one PEM block holding a CloudFront-compatible
// public key: "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1, normalized to
// PKIX). Text around the block is ignored; a second PEM block is an error.
//
// It refuses, with a message naming what was found and what CloudFront
// accepts: input that is not PEM (ErrNotPEM), several blocks
// (ErrMultiplePEMBlocks), any private key (ErrPrivateKeyGiven), a certificate
// (ErrCertificate), RSA keys other than 2048 bits (ErrUnsupportedRSASize),
// ECDSA keys on curves other than P-256 (ErrUnsupportedCurve), and every other
// key type such as Ed25519 (ErrUnsupportedKeyType).
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	block, err := singleBlock(pemBytes, "-----BEGIN PUBLIC KEY-----", true)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PUBLIC KEY":
		return parsePKIX(block.Bytes)
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, errorf(ErrMalformedKey, "malformed key: the PEM block \"RSA PUBLIC KEY\" does not hold a PKCS#1 RSA public key: %v", err)
		}
		return newPublicKey(k)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY":
		// Also reached when the private key sits among other blocks (see singleBlock).
		return nil, errorf(ErrPrivateKeyGiven, "this is a private key (PEM block %q), not a public key: %s", block.Type, privateKeyAdvice)
	case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
		return nil, errorf(ErrCertificate, "this is a certificate (PEM block %q), not a public key: CloudFront needs the bare public key, "+
			"\"-----BEGIN PUBLIC KEY-----\"; extract it with `openssl x509 -in cert.pem -pubkey -noout > public_key.pem` (%s)", block.Type, accepted)
	default:
		return nil, unknownBlock(block.Type, "-----BEGIN PUBLIC KEY-----")
	}
}

// privateBlockTypes are the PEM block types that hold a private key.
var privateBlockTypes = map[string]bool{
	"PRIVATE KEY": true, "RSA PRIVATE KEY": true, "EC PRIVATE KEY": true, "ENCRYPTED PRIVATE KEY": true,
	"OPENSSH PRIVATE KEY": true, "DSA PRIVATE KEY": true,
}

// singleBlock decodes the one meaningful PEM block of pemBytes. "EC
// PARAMETERS" blocks, which `openssl ecparam -genkey` prints before the key,
// carry no key and are skipped. With privateFirst, a private key anywhere in
// the input is reported as such before "more than one block", because that
// is the mistake that matters (a combined cert+key file, say).
func singleBlock(pemBytes []byte, want string, privateFirst bool) (*pem.Block, error) {
	var blocks []*pem.Block
	rest := pemBytes
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "EC PARAMETERS" {
			continue
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		return nil, notPEM(pemBytes, want)
	}
	if privateFirst {
		for _, b := range blocks {
			if privateBlockTypes[b.Type] {
				return b, nil
			}
		}
	}
	if len(blocks) > 1 {
		types := make([]string, len(blocks))
		for i, b := range blocks {
			types[i] = fmt.Sprintf("%q", b.Type)
		}
		return nil, errorf(ErrMultiplePEMBlocks, "more than one PEM block (%d blocks: %s): give exactly one key per file, a single %q block",
			len(blocks), strings.Join(types, ", "), want)
	}
	return blocks[0], nil
}

// notPEM builds the ErrNotPEM message, recognizing a few common look-alikes.
func notPEM(in []byte, want string) error {
	trimmed := bytes.TrimSpace(in)
	var hint string
	switch {
	case len(trimmed) == 0:
		hint = "the input is empty"
	case bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")):
		hint = "this looks like an OpenSSH public key; convert it with `ssh-keygen -e -m PKCS8 -f key.pub`"
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		hint = "the PEM armor is damaged (check the BEGIN/END lines and the base64 between them)"
	case trimmed[0] == 0x30:
		hint = "this looks like binary DER; convert it with `openssl pkey -inform DER -in key.der -out key.pem` (add -pubin for a public key)"
	default:
		hint = "no \"-----BEGIN ...-----\" line was found"
	}
	return errorf(ErrNotPEM, "not PEM: %s; expected one %q block", hint, want)
}

func unknownBlock(typ, want string) error {
	return errorf(ErrUnknownPEMType, "unexpected PEM block %q: expected %q (%s)", typ, want, accepted)
}

// OIDs used to name what was found when it is not a supported key.
var (
	oidRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEC        = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA       = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidX25519    = asn1.ObjectIdentifier{1, 3, 101, 110}
	oidX448      = asn1.ObjectIdentifier{1, 3, 101, 111}
	oidEd25519   = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEd448     = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidP256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP224      = asn1.ObjectIdentifier{1, 3, 132, 0, 33}
	oidP384      = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521      = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

func algorithmName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidRSAPSS):
		return "RSA-PSS"
	case oid.Equal(oidDSA):
		return "DSA"
	case oid.Equal(oidX25519):
		return "X25519"
	case oid.Equal(oidX448):
		return "X448"
	case oid.Equal(oidEd25519):
		return "Ed25519"
	case oid.Equal(oidEd448):
		return "Ed448"
	}
	return "algorithm OID " + oid.String()
}

func curveName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidP224):
		return "P-224"
	case oid.Equal(oidP384):
		return "P-384"
	case oid.Equal(oidP521):
		return "P-521"
	case oid.Equal(oidSecp256k1):
		return "secp256k1"
	}
	return "curve OID " + oid.String()
}

// parsePKIX parses a DER SubjectPublicKeyInfo. When Go's parser refuses it,
// the algorithm identifier is read directly so the error can name the key.
func parsePKIX(der []byte) (*PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err == nil {
		return newPublicKey(k)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, aerr := asn1.Unmarshal(der, &spki); aerr != nil {
		return nil, errorf(ErrMalformedKey, "malformed key: the PEM block \"PUBLIC KEY\" does not hold a DER SubjectPublicKeyInfo: %v", err)
	}
	alg := spki.Algorithm.Algorithm
	switch {
	case alg.Equal(oidEC):
		var curve asn1.ObjectIdentifier
		if _, cerr := asn1.Unmarshal(spki.Algorithm.Parameters.FullBytes, &curve); cerr == nil && !curve.Equal(oidP256) {
			return nil, unsupportedCurve(curveName(curve), "public")
		}
	case alg.Equal(oidRSA):
		// fall through to the generic malformed message
	default:
		return nil, unsupportedType(algorithmName(alg), "public")
	}
	return nil, errorf(ErrMalformedKey, "malformed key: the \"PUBLIC KEY\" block could not be parsed: %v", err)
}

func unsupportedCurve(found, what string) error {
	return errorf(ErrUnsupportedCurve, "unsupported key: this is an ECDSA %s key on curve %s; %s (for ECDSA, the P-256 curve, also called prime256v1 or secp256r1: `mediacdn keygen --type ecdsa`)", what, found, accepted)
}

func unsupportedRSA(bits int, what string) error {
	return errorf(ErrUnsupportedRSASize, "unsupported key: this is an RSA %d-bit %s key; %s (for RSA, exactly 2048 bits: `mediacdn keygen --type rsa`)", bits, what, accepted)
}

func unsupportedType(found, what string) error {
	return errorf(ErrUnsupportedKeyType, "unsupported key: this %s key is %s; %s (`mediacdn keygen --type rsa|ecdsa`)", what, found, accepted)
}

// newPublicKey checks a parsed public key against what CloudFront accepts
// and builds the normalized PublicKey.
func newPublicKey(k crypto.PublicKey) (*PublicKey, error) {
	pk := &PublicKey{Key: k}
	switch key := k.(type) {
	case *rsa.PublicKey:
		if bits := key.N.BitLen(); bits != RSABits {
			return nil, unsupportedRSA(bits, "public")
		}
		pk.Type, pk.Bits = RSA, RSABits
	case *ecdsa.PublicKey:
		if key.Curve != elliptic.P256() {
			return nil, unsupportedCurve(key.Curve.Params().Name, "public")
		}
		pk.Type, pk.Bits = ECDSA, 256
	case ed25519.PublicKey:
		return nil, unsupportedType("Ed25519", "public")
	default:
		return nil, unsupportedType(fmt.Sprintf("%T", k), "public")
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, errorf(ErrMalformedKey, "malformed key: cannot encode the public key as PKIX: %v", err)
	}
	pk.der = der
	pk.PEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return pk, nil
}

// ParsePrivateKey parses one PEM private key for signing: RSA 2048 (PKCS#1
// "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY") or ECDSA P-256 (SEC1 "EC PRIVATE
// KEY", optionally preceded by an "EC PARAMETERS" block, or PKCS#8). The
// result is a *rsa.PrivateKey or a *ecdsa.PrivateKey.
//
// A public key (ErrPublicKeyGiven), a certificate (ErrCertificate), an
// encrypted key (ErrEncryptedKey), other sizes, curves and key types are
// refused with a message saying so.
func ParsePrivateKey(pemBytes []byte) (crypto.Signer, error) {
	const want = "-----BEGIN PRIVATE KEY-----"
	block, err := singleBlock(pemBytes, want, false)
	if err != nil {
		return nil, err
	}
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errorf(ErrEncryptedKey, "the private key (PEM block %q) is encrypted with a passphrase; signing needs the unencrypted key: "+
			"decrypt it with `openssl pkey -in encrypted.pem -out private_key.pem` and keep the result in a secrets manager, never in the repository", block.Type)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			if alg := pkcs8Algorithm(block.Bytes); alg != nil && !alg.Equal(oidRSA) && !alg.Equal(oidEC) {
				return nil, unsupportedType(algorithmName(alg), "private")
			}
			if curve := pkcs8Curve(block.Bytes); curve != nil && !curve.Equal(oidP256) {
				return nil, unsupportedCurve(curveName(curve), "private")
			}
		}
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return nil, errorf(ErrPublicKeyGiven, "this is a public key (PEM block %q); signing needs the private key (the private_key.pem written next to it by `mediacdn keygen`)", block.Type)
	case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
		return nil, errorf(ErrCertificate, "this is a certificate (PEM block %q); signing needs the private key", block.Type)
	case "OPENSSH PRIVATE KEY":
		return nil, errorf(ErrUnsupportedKeyType, "this is an OpenSSH-format private key; convert it to PKCS#8 PEM with `ssh-keygen -p -m PKCS8 -f KEYFILE` (%s)", accepted)
	default:
		return nil, unknownBlock(block.Type, want)
	}
	if err != nil {
		return nil, errorf(ErrMalformedKey, "malformed key: the PEM block %q could not be parsed: %v", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits != RSABits {
			return nil, unsupportedRSA(bits, "private")
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, unsupportedCurve(k.Curve.Params().Name, "private")
		}
		return k, nil
	case ed25519.PrivateKey:
		return nil, unsupportedType("Ed25519", "private")
	default:
		return nil, unsupportedType(fmt.Sprintf("%T", key), "private")
	}
}

// pkcs8Info is the head of a PKCS#8 PrivateKeyInfo.
type pkcs8Info struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

func pkcs8Algorithm(der []byte) asn1.ObjectIdentifier {
	var p pkcs8Info
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		return nil
	}
	return p.Algorithm.Algorithm
}

func pkcs8Curve(der []byte) asn1.ObjectIdentifier {
	var p pkcs8Info
	if _, err := asn1.Unmarshal(der, &p); err != nil || !p.Algorithm.Algorithm.Equal(oidEC) {
		return nil
	}
	var curve asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(p.Algorithm.Parameters.FullBytes, &curve); err != nil {
		return nil
	}
	return curve
}

// GenerateKeyPair generates a new key pair CloudFront accepts: RSA 2048 for
// RSA, ECDSA P-256 for ECDSA. It returns the private key as a PKCS#8 PEM
// "PRIVATE KEY" block and the public key as a PKIX PEM "PUBLIC KEY" block.
func GenerateKeyPair(t KeyType) (privatePEM, publicPEM []byte, err error) {
	var key crypto.Signer
	switch t {
	case RSA:
		key, err = rsa.GenerateKey(rand.Reader, RSABits)
	case ECDSA:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, nil, errorf(ErrUnsupportedKeyType, "unsupported key type %q: use %q (RSA 2048) or %q (ECDSA P-256)", string(t), RSA, ECDSA)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("generating %s key: %w", t, err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("encoding public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), nil
}
