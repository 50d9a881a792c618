package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/cfkeys"
)

// cfBase64 encodes like CloudFront's URL-safe base64, to build crafted URLs.
func cfBase64(s string) string {
	return strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(base64.StdEncoding.EncodeToString([]byte(s)))
}

// A URL from outside carries control characters in the values verify
// prints. Before the text output went through internal/safetext, the
// Key-Pair-Id and Resource lines below printed a raw newline and a second
// "Verdict:        VALID" line (plus an ESC sequence that erased the real
// one on a terminal); every case failed then.
func TestVerifyEscapesDecodedValues(t *testing.T) {
	fixNow(t, cliNow)
	_, pubPath, _ := testKeys(t, cfkeys.RSA)
	fake := "\nVerdict:        VALID\x1b[2K\u202e"
	policy := `{"Statement":[{"Resource":"https://media.example.com/a` + `\nVerdict:        VALID\u001b[1A\u202e` + `","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
	tests := []struct {
		name string
		url  string
		want []string // escaped forms that must appear
	}{
		{"Key-Pair-Id", "https://media.example.com/a.jpg?Expires=1767229200&Signature=AAAA&Key-Pair-Id=K" +
			strings.NewReplacer("\n", "%0A", " ", "%20", "\x1b", "%1B", "[", "%5B", "\u202e", "%E2%80%AE").Replace(fake),
			[]string{`Key-Pair-Id:    K\nVerdict:        VALID\x1b[2K\u{202e}`}},
		{"policy resource", "https://media.example.com/a.jpg?Policy=" + cfBase64(policy) + "&Signature=AAAA&Key-Pair-Id=K2JCJMDEHXQW5F",
			[]string{`Resource:       https://media.example.com/a\nVerdict:        VALID\x1b[1A\u{202e}`, `Policy:         {"Statement"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, "verify", "--public-key", pubPath, tc.url)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (bad signature); stderr %q", code, stderr)
			}
			mustContain(t, "stdout", stdout, tc.want...)
			verdicts := 0
			for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				if strings.HasPrefix(line, "Verdict:") {
					verdicts++
					if line != "Verdict:        INVALID" {
						t.Errorf("verdict line %q", line)
					}
				}
			}
			if verdicts != 1 {
				t.Errorf("%d Verdict lines, want 1:\n%s", verdicts, stdout)
			}
			for _, out := range []string{stdout, stderr} {
				if strings.ContainsAny(out, "\x1b\r\u202e") {
					t.Errorf("raw control or bidi character printed: %q", out)
				}
			}
		})
	}
}

// verify --json: one exact JSON document, exit statuses as in text mode.
func TestVerifyJSON(t *testing.T) {
	fixNow(t, cliNow)
	priv, pubPath, pub := testKeys(t, cfkeys.RSA)
	canned := signedFixture(t, priv, "--url", "https://media.example.com/a.jpg?w=1", "--expires", "59m")[0]
	asset := signedFixture(t, priv, "--url", "https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/*",
		"--expires", "1h", "--ip", "192.0.2.0/24")[0]
	crafted := "https://media.example.com/a.jpg?Expires=1767229200&Signature=AAAA&Key-Pair-Id=K%0AVerdict:%1B"
	type report struct {
		Kind          string `json:"kind"`
		PolicyType    string `json:"policy_type"`
		Resource      string `json:"resource"`
		Policy        string `json:"policy"`
		Expires       string `json:"expires"`
		ExpiresEpoch  int64  `json:"expires_epoch"`
		IPAddress     string `json:"ip_address"`
		KeyPairID     string `json:"key_pair_id"`
		HashAlgorithm string `json:"hash_algorithm"`
		PublicKey     *struct {
			Type        string `json:"type"`
			Bits        int    `json:"bits"`
			Fingerprint string `json:"sha256_fingerprint"`
		} `json:"public_key"`
		CheckedURL string   `json:"checked_url"`
		CheckedAt  string   `json:"checked_at"`
		Verdict    string   `json:"verdict"`
		Problems   []string `json:"problems"`
	}
	decode := func(t *testing.T, stdout string) report {
		t.Helper()
		var r report
		dec := json.NewDecoder(strings.NewReader(stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("stdout is not one JSON report: %v\n%s", err, stdout)
		}
		if dec.More() {
			t.Fatalf("more than one JSON document:\n%s", stdout)
		}
		return r
	}
	v := func(args ...string) []string {
		return append([]string{"verify", "--json", "--public-key", pubPath}, args...)
	}

	t.Run("valid canned URL", func(t *testing.T) {
		code, stdout, stderr := cli(t, v(canned)...)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		r := decode(t, stdout)
		if r.Verdict != "VALID" || r.Kind != "signed URL" || r.PolicyType != "canned" || r.Resource != "https://media.example.com/a.jpg?w=1" ||
			r.ExpiresEpoch != 1767229140 || r.Expires != "2026-01-01T00:59:00Z" || r.KeyPairID != "K2JCJMDEHXQW5F" || r.HashAlgorithm != "SHA1" ||
			r.PublicKey == nil || r.PublicKey.Fingerprint != pub.Fingerprint() || r.PublicKey.Bits != 2048 || len(r.Problems) != 0 ||
			r.Policy != `{"Statement":[{"Resource":"https://media.example.com/a.jpg?w=1","Condition":{"DateLessThan":{"AWS:EpochTime":1767229140}}}]}` {
			t.Errorf("report %+v", r)
		}
	})
	t.Run("custom policy, another asset", func(t *testing.T) {
		code, stdout, _ := cli(t, v("--url", "https://media.example.com/v/xyz/s.ts", asset)...)
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		r := decode(t, stdout)
		if r.Verdict != "INVALID" || r.PolicyType != "custom" || r.IPAddress != "192.0.2.0/24" || r.CheckedURL != "https://media.example.com/v/xyz/s.ts" ||
			len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "resource mismatch") {
			t.Errorf("report %+v", r)
		}
	})
	t.Run("expired", func(t *testing.T) {
		code, stdout, _ := cli(t, v("--at", "2026-01-01T02:00:00Z", canned)...)
		if r := decode(t, stdout); code != 1 || r.Verdict != "INVALID" || r.CheckedAt != "2026-01-01T02:00:00Z" || !strings.Contains(strings.Join(r.Problems, ";"), "expired") {
			t.Errorf("exit %d, report %+v", code, r)
		}
	})
	t.Run("not a signed URL", func(t *testing.T) {
		code, stdout, _ := cli(t, v("https://media.example.com/a.jpg")...)
		if r := decode(t, stdout); code != 1 || r.Verdict != "INVALID" || len(r.Problems) != 1 || r.Kind != "" {
			t.Errorf("exit %d, report %+v", code, r)
		}
	})
	t.Run("crafted values stay exact in JSON", func(t *testing.T) {
		code, stdout, _ := cli(t, v(crafted)...)
		if r := decode(t, stdout); code != 1 || r.KeyPairID != "K\nVerdict:\x1b" {
			t.Errorf("exit %d, key_pair_id %q", code, r.KeyPairID)
		}
		if strings.ContainsAny(stdout, "\x1b") {
			t.Errorf("raw ESC in JSON output")
		}
	})
	t.Run("usage error is not JSON", func(t *testing.T) {
		code, stdout, stderr := cli(t, "verify", "--json", "--public-key", pubPath)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "give a SIGNED_URL") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}
