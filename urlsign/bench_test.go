package urlsign

// go test -run '^$' -bench . -count 6 ./urlsign
// Results and how to read them: BENCHMARKS.md.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"strconv"
	"testing"
)

type benchKey struct {
	name string
	key  crypto.Signer
}

func benchKeys(b *testing.B) []benchKey {
	return []benchKey{{"rsa2048", loadRSA(b)}, {"ecdsa-p256", loadECDSA(b)}}
}

// BenchmarkSignURL measures one signed URL per operation.
func BenchmarkSignURL(b *testing.B) {
	const u = "https://media.example.com/photos/2026/01/cat.jpg?w=640&h=480"
	for _, policy := range []string{"canned", "custom"} {
		for _, k := range benchKeys(b) {
			for _, h := range []HashAlgorithm{SHA1, SHA256} {
				b.Run(policy+"/"+k.name+"/"+string(h), func(b *testing.B) {
					s := newTestSigner(b, k.key, h)
					p := Policy{Resource: "https://media.example.com/photos/2026/*", Expires: testExpires}
					b.ReportAllocs()
					for b.Loop() {
						var err error
						if policy == "canned" {
							_, err = s.SignURL(u, testExpires)
						} else {
							_, err = s.SignURLWithPolicy(u, p)
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "urls/s")
				})
			}
		}
	}
}

// BenchmarkPage500 signs the 500 canned image URLs of one gallery page.
func BenchmarkPage500(b *testing.B) {
	urls := make([]string, 500)
	for i := range urls {
		urls[i] = "https://media.example.com/gallery/42/thumb_" + strconv.Itoa(i) + ".jpg?w=320"
	}
	for _, k := range benchKeys(b) {
		for _, h := range []HashAlgorithm{SHA1, SHA256} {
			b.Run(k.name+"/"+string(h), func(b *testing.B) {
				s := newTestSigner(b, k.key, h)
				out := make([]string, len(urls))
				for b.Loop() {
					for i, u := range urls {
						var err error
						if out[i], err = s.SignURL(u, testExpires); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
			})
		}
	}
}

// BenchmarkRawSign is the floor: the bare private-key operation of the same
// keys on a precomputed digest, with no policy, hashing or encoding.
func BenchmarkRawSign(b *testing.B) {
	d256 := sha256.Sum256([]byte("policy"))
	d1 := sha1.Sum([]byte("policy"))
	rsaKey, ecKey := loadRSA(b), loadECDSA(b)
	b.Run("rsa2048/SHA256-digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, d256[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rsa2048/SHA1-digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA1, d1[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdsa-p256/SHA256-digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := ecdsa.SignASN1(rand.Reader, ecKey, d256[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdsa-p256/SHA1-digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := ecdsa.SignASN1(rand.Reader, ecKey, d1[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseVerify decodes and verifies one signed URL.
func BenchmarkParseVerify(b *testing.B) {
	for _, k := range benchKeys(b) {
		b.Run(k.name, func(b *testing.B) {
			s := newTestSigner(b, k.key, SHA256)
			signed, err := s.SignURL("https://media.example.com/photos/cat.jpg?w=640", testExpires)
			if err != nil {
				b.Fatal(err)
			}
			pub := k.key.Public()
			for b.Loop() {
				d, err := Parse(signed)
				if err != nil {
					b.Fatal(err)
				}
				if err := d.Verify(pub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
