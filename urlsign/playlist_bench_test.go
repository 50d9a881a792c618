package urlsign

// go test -run '^$' -bench Playlist -count 6 ./urlsign
// Results and how to read them: PLAYLIST-BENCHMARKS.md.

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/mediacdn/mediacdn/hls"
)

// BenchmarkPlaylist signs media playlists of 100, 1,000 and 10,000 segments,
// side by side with the same playlist parsed and re-serialised without
// signing (hls.Rewrite writing every URI back as it was):
//
//   - reserialise: hls.Rewrite keeping each URI, no signing (the baseline);
//   - sign-rsa2048, sign-ecdsa-p256: Signer.SignPlaylist, the whole job:
//     one custom-policy signature plus every URI rewritten;
//   - rewrite-only: SignedAsset.SignPlaylist with the signature made
//     beforehand, i.e. what signing adds per URI.
//
// signatures/op counts the private-key operations: 1 whatever the size.
// cpu-ns/op is the process's CPU time per operation (GC included), which a
// busy machine disturbs far less than wall time.
func BenchmarkPlaylist(b *testing.B) {
	const playlistURL = testAsset + "720p/index.m3u8"
	base, _ := url.Parse(playlistURL)
	for _, n := range []int{100, 1000, 10000} {
		data := mediaPlaylist(n)
		prefix := "segments=" + strconv.Itoa(n) + "/"
		b.Run(prefix+"reserialise", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, _, err := hls.Rewrite(data, base, func(r hls.Ref) (string, bool) { return r.URI, true }); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, k := range benchKeys(b) {
			b.Run(prefix+"sign-"+k.name, func(b *testing.B) {
				key := &countingKey{Signer: k.key}
				s := newTestSigner(b, key, SHA1)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				done := reportCPU(b)
				for b.Loop() {
					got, err := s.SignPlaylist(data, playlistURL, testAsset, Policy{Expires: testExpires}, PlaylistOptions{})
					if err != nil || got.Signed != n {
						b.Fatal(err, got.Signed)
					}
				}
				done()
				b.ReportMetric(float64(key.n())/float64(b.N), "signatures/op")
			})
		}
		b.Run(prefix+"rewrite-only", func(b *testing.B) {
			a, err := newTestSigner(b, loadECDSA(b), SHA1).SignAsset(testAsset, Policy{Expires: testExpires})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := a.SignPlaylist(data, playlistURL, PlaylistOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU starts counting the process's CPU time; the function it returns
// reports it per operation as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if start > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
