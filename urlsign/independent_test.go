package urlsign

// Cross-checks against implementations that share no code with this package:
// a URL derived by hand with OpenSSL, the aws-sdk-go-v2 signer, and
// `openssl dgst` signing and verifying the exact policy bytes.

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssign "github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// TestCannedURLDerivedByHand builds the expected canned-policy URL from the
// CloudFront documentation's recipe without any code under test: the policy
// is written out literally, signed by `openssl dgst -sign`, base64-encoded by
// `openssl base64` and translated to CloudFront's alphabet by a loop.
func TestCannedURLDerivedByHand(t *testing.T) {
	needOpenSSL(t)
	const base = "https://media.example.com/photos/a%20b.jpg?w=640&fit=crop"
	// epoch of 2026-01-01T01:00:00Z, by hand: 1767225600 + 3600
	const policy = `{"Statement":[{"Resource":"https://media.example.com/photos/a%20b.jpg?w=640&fit=crop","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
	for _, tc := range []struct {
		hash    HashAlgorithm
		dgst    string
		trailer string
	}{
		{SHA1, "sha1", ""},
		{SHA256, "sha256", "&Hash-Algorithm=SHA256"},
	} {
		t.Run(string(tc.hash), func(t *testing.T) {
			sig := opensslSign(t, tc.dgst, rsaPrivFile, []byte(policy))
			want := base + "&Expires=1767229200&Signature=" + cfBase64(t, sig) + "&Key-Pair-Id=" + testKeyID + tc.trailer
			got, err := newTestSigner(t, loadRSA(t), tc.hash).SignURL(base, testExpires)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("SignURL =\n%s\nwant (by hand + openssl)\n%s", got, want)
			}
		})
	}
}

// TestMatchesAWSSDK compares whole signed URLs byte for byte with
// aws-sdk-go-v2's signer, which is deterministic for RSA with SHA-1 (the only
// hash it implements).
func TestMatchesAWSSDK(t *testing.T) {
	key := loadRSA(t)
	ours := newTestSigner(t, key, SHA1)
	sdk := awssign.NewURLSigner(testKeyID, key)
	urls := []string{
		"https://media.example.com/photos/a.jpg",
		"https://media.example.com/photos/a.jpg?w=640",
		"https://media.example.com/photos/a.jpg?w=640&h=480&fit=crop&q=80",
		"https://media.example.com/photos/a.jpg?caption=tom%26jerry&x=%3Cb%3E",
		"https://media.example.com/photos/a%20b%2Fc.jpg?name=a+b",
		"https://media.example.com/%EC%82%AC%EC%A7%84/%ED%95%9C.jpg?k=%EA%B0%92",
		"https://d111111abcdef8.cloudfront.net/video/abc/index.m3u8",
	}
	for _, u := range urls {
		t.Run("canned "+u, func(t *testing.T) {
			got, err := ours.SignURL(u, testExpires)
			if err != nil {
				t.Fatal(err)
			}
			want, err := sdk.Sign(u, testExpires)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("canned:\n ours %s\n sdk  %s", got, want)
			}
		})
		t.Run("custom "+u, func(t *testing.T) {
			nb := testNow.Add(-5 * time.Minute)
			resource := u[:strings.LastIndex(u, "/")+1] + "*"
			got, err := ours.SignURLWithPolicy(u, Policy{Resource: resource, Expires: testExpires, NotBefore: nb, IPAddress: "192.0.2.0/24"})
			if err != nil {
				t.Fatal(err)
			}
			want, err := sdk.SignWithPolicy(u, &awssign.Policy{Statements: []awssign.Statement{{
				Resource: resource,
				Condition: awssign.Condition{
					IPAddress:       &awssign.IPAddress{SourceIP: "192.0.2.0/24"},
					DateGreaterThan: awssign.NewAWSEpochTime(nb),
					DateLessThan:    awssign.NewAWSEpochTime(testExpires),
				},
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("custom:\n ours %s\n sdk  %s", got, want)
			}
		})
	}

	t.Run("custom cookies", func(t *testing.T) {
		const resource = "https://media.example.com/videos/abc/*"
		got, err := ours.Cookies(Policy{Resource: resource, Expires: testExpires}, CookieOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := awssign.NewCookieSigner(testKeyID, key).SignWithPolicy(awssign.NewCannedPolicy(resource, testExpires))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || len(want) != 3 {
			t.Fatalf("got %d cookies, sdk %d", len(got), len(want))
		}
		for i := range want {
			if got[i].Name != want[i].Name || got[i].Value != want[i].Value {
				t.Errorf("cookie %d: ours %s=%s, sdk %s=%s", i, got[i].Name, got[i].Value, want[i].Name, want[i].Value)
			}
		}
	})
}

// TestOpenSSLCrossCheck signs with this package and checks the raw
// signature against OpenSSL over the exact policy bytes: byte for byte for
// RSA (PKCS#1 v1.5 is deterministic), `openssl dgst -verify` for ECDSA.
func TestOpenSSLCrossCheck(t *testing.T) {
	needOpenSSL(t)
	rsaKey, ecKey := loadRSA(t), loadECDSA(t)
	const u = "https://media.example.com/videos/abc/index.m3u8?lang=en&t=1"
	for _, tc := range []struct {
		name string
		rsa  bool
		hash HashAlgorithm
		dgst string
	}{
		{"rsa-sha1", true, SHA1, "sha1"},
		{"rsa-sha256", true, SHA256, "sha256"},
		{"ecdsa-sha1", false, SHA1, "sha1"},
		{"ecdsa-sha256", false, SHA256, "sha256"},
	} {
		for _, custom := range []bool{false, true} {
			name := tc.name + "/canned"
			if custom {
				name = tc.name + "/custom"
			}
			t.Run(name, func(t *testing.T) {
				var s *Signer
				if tc.rsa {
					s = newTestSigner(t, rsaKey, tc.hash)
				} else {
					s = newTestSigner(t, ecKey, tc.hash)
				}
				var signed string
				var err error
				if custom {
					signed, err = s.SignURLWithPolicy(u, Policy{Resource: "https://media.example.com/videos/abc/*", Expires: testExpires, IPAddress: "198.51.100.7"})
				} else {
					signed, err = s.SignURL(u, testExpires)
				}
				if err != nil {
					t.Fatal(err)
				}
				d, err := Parse(signed)
				if err != nil {
					t.Fatal(err)
				}
				if d.HashAlgorithm != tc.hash {
					t.Errorf("HashAlgorithm = %s", d.HashAlgorithm)
				}
				if tc.rsa {
					want := opensslSign(t, tc.dgst, rsaPrivFile, d.PolicyJSON)
					if !bytes.Equal(d.Signature, want) {
						t.Errorf("RSA signature differs from openssl dgst -%s -sign", tc.dgst)
					}
				} else {
					if !opensslVerify(t, tc.dgst, ecPubFile, d.PolicyJSON, d.Signature) {
						t.Errorf("openssl dgst -%s -verify rejects our ECDSA signature", tc.dgst)
					}
					// And the other way round: the wrong digest must fail.
					other := map[string]string{"sha1": "sha256", "sha256": "sha1"}[tc.dgst]
					if opensslVerify(t, other, ecPubFile, d.PolicyJSON, d.Signature) {
						t.Errorf("openssl dgst -%s -verify accepts a %s signature", other, tc.dgst)
					}
				}
			})
		}
	}
}

// TestVerifyOpenSSLSignatures checks that Verify accepts signatures OpenSSL
// made (ECDSA is randomized, so this is the independent direction), in a URL
// and in cookies assembled by hand, and refuses them when tampered with.
func TestVerifyOpenSSLSignatures(t *testing.T) {
	needOpenSSL(t)
	ecPub := loadPublic(t, ecPubFile)
	rsaPub := loadPublic(t, rsaPubFile)
	const resource = "https://media.example.com/videos/abc/*"
	policy := `{"Statement":[{"Resource":"` + resource + `","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
	for _, tc := range []struct {
		name, key, dgst, trailer string
		pub                      any
	}{
		{"ecdsa-sha1", ecPrivFile, "sha1", "", ecPub},
		{"ecdsa-sha256", ecPrivFile, "sha256", "&Hash-Algorithm=SHA256", ecPub},
		{"rsa-sha256", rsaPrivFile, "sha256", "&Hash-Algorithm=SHA256", rsaPub},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := cfBase64(t, opensslSign(t, tc.dgst, tc.key, []byte(policy)))
			pol := cfBase64(t, []byte(policy))
			signed := "https://media.example.com/videos/abc/seg_001.ts?Policy=" + pol + "&Signature=" + sig + "&Key-Pair-Id=" + testKeyID + tc.trailer
			d, err := Parse(signed)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Check(tc.pub, "", testNow); err != nil {
				t.Errorf("Check: %v", err)
			}
			// Without the Hash-Algorithm parameter the digest differs.
			if tc.trailer != "" {
				d2, err := Parse(strings.TrimSuffix(signed, tc.trailer))
				if err != nil {
					t.Fatal(err)
				}
				wantErr(t, d2.Verify(tc.pub), ErrBadSignature)
			}
			// The same values as cookies.
			cookies := []*http.Cookie{{Name: CookiePolicy, Value: pol}, {Name: CookieSignature, Value: sig}, {Name: CookieKeyPairID, Value: testKeyID}, {Name: "session", Value: "x"}}
			if tc.trailer != "" {
				cookies = append(cookies, &http.Cookie{Name: CookieHashAlgorithm, Value: "SHA256"})
			}
			dc, err := ParseCookies(cookies)
			if err != nil {
				t.Fatal(err)
			}
			if err := dc.Check(tc.pub, "https://media.example.com/videos/abc/720p/seg_002.ts", testNow); err != nil {
				t.Errorf("cookie Check: %v", err)
			}
			// A policy changed after signing fails.
			tampered := strings.Replace(policy, "abc", "abd", 1)
			d3, err := Parse("https://media.example.com/videos/abd/x.ts?Policy=" + cfBase64(t, []byte(tampered)) + "&Signature=" + sig + "&Key-Pair-Id=" + testKeyID + tc.trailer)
			if err != nil {
				t.Fatal(err)
			}
			wantErr(t, d3.Verify(tc.pub), ErrBadSignature, "does not verify")
		})
	}
}

// TestStatementObjectForm: the older documentation writes "Statement" as an
// object, not a list; the parser accepts both.
func TestStatementObjectForm(t *testing.T) {
	key := loadRSA(t)
	policy := []byte(`{"Statement":{"Resource":"https://media.example.com/a/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}}`)
	s := newTestSigner(t, key, SHA1)
	sig, err := s.signPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("https://media.example.com/a/b.jpg?Policy=" + encodeB64(policy) + "&Signature=" + sig + "&Key-Pair-Id=K1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Resource != "https://media.example.com/a/*" || d.Expires.Unix() != 1767229200 {
		t.Errorf("decoded %+v", d)
	}
	if err := d.Check(&key.PublicKey, "", testNow); err != nil {
		t.Error(err)
	}
}

// TestTestKeysMatch guards the fixtures: the public key files are the
// private keys' public halves.
func TestTestKeysMatch(t *testing.T) {
	for _, p := range [][2]string{{rsaPrivFile, rsaPubFile}, {ecPrivFile, ecPubFile}} {
		priv := loadPrivate(t, p[0])
		der, err := x509.MarshalPKIXPublicKey(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), b) {
			t.Errorf("%s is not the public half of %s", filepath.Base(p[1]), filepath.Base(p[0]))
		}
	}
}
