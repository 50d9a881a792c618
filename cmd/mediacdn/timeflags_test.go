package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
)

// Durations and times at and past the limits. The old parser multiplied the
// days into a time.Duration without a check: 213504d wrapped around to about
// 25 minutes from now and was signed as such (the first case failed then).
func TestTimeFlagBounds(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, _ := testKeys(t, cfkeys.RSA)
	sign := func(flags ...string) []string {
		return append([]string{"sign", "--url", "https://media.example.com/a.jpg", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv}, flags...)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  []string
	}{
		{"days that overflow a Duration", sign("--expires", "213504d"), 2, []string{`--expires "213504d" is too far from now`, "2038-01-19T03:14:07Z"}},
		{"days far past int64", sign("--expires", "99999999999999999999d"), 2, []string{"too far from now"}},
		{"hours that overflow a Duration", sign("--expires", "2562048h"), 2, []string{`--expires "2562048h" is too far from now`}},
		{"mixed units that overflow", sign("--expires", "2562047h60m"), 2, []string{"too far from now"}},
		{"days within a Duration but past 2038", sign("--expires", "5000d"), 2, []string{"--expires 5000d is 2039-09-10T00:00:00Z, after 2038-01-19T03:14:07Z", "2147483647", "nothing was signed"}},
		{"RFC 3339 past 2038", sign("--expires", "9999-12-31T23:59:59Z"), 2, []string{"after 2038-01-19T03:14:07Z"}},
		{"one second past the limit", sign("--expires", "2038-01-19T03:14:08Z"), 2, []string{"after 2038-01-19T03:14:07Z"}},
		{"not-before past 2038", sign("--expires", "1h", "--not-before", "2040-01-01T00:00:00Z"), 2, []string{"--not-before 2040-01-01T00:00:00Z is", "after 2038-01-19T03:14:07Z"}},
		{"not-before overflow", sign("--expires", "1h", "--not-before", "213504d"), 2, []string{`--not-before "213504d" is too far`}},
		{"negative overflow", sign("--expires", "-213504d"), 2, []string{"too far from now"}},
		{"exactly the limit is fine", sign("--expires", "2038-01-19T03:14:07Z"), 0, []string{"expires 2038-01-19T03:14:07Z"}},
		{"the largest day count that fits a policy", sign("--expires", "4401d"), 0, []string{"expires 2038-01-19T00:00:00Z"}},
		{"one day more is refused", sign("--expires", "4402d"), 2, []string{"2038-01-20T00:00:00Z, after 2038-01-19T03:14:07Z"}},
		{"verify --at overflow", []string{"verify", "--public-key", priv, "--at", "213504d", "https://media.example.com/a.jpg?Expires=1767229200&Signature=AAAA&Key-Pair-Id=K"}, 2, []string{`--at "213504d" is too far`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tc.code, stdout, stderr)
			}
			mustContain(t, "stderr", stderr, tc.msg...)
		})
	}
}

func TestParseTimeArg(t *testing.T) {
	from := cliNow
	tests := []struct {
		in   string
		want time.Time
		bad  string
	}{
		{in: "90m", want: from.Add(90 * time.Minute)},
		{in: " 7d ", want: from.Add(7 * 24 * time.Hour)},
		{in: "+2d", want: from.Add(48 * time.Hour)},
		{in: "-1d", want: from.Add(-24 * time.Hour)},
		{in: "106751d", want: from.Add(106751 * 24 * time.Hour)}, // the most days a Duration holds
		{in: "106752d", bad: "too far"},
		{in: "213504d", bad: "too far"},
		{in: "2562047h", want: from.Add(2562047 * time.Hour)},
		{in: "2562048h", bad: "too far"},
		{in: "1.5d", bad: "neither a duration"},
		{in: "d", bad: "neither a duration"},
		{in: "7 d", bad: "neither a duration"},
		{in: "2026-06-01T00:00:00Z", want: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		{in: "tomorrow", bad: "neither a duration"},
	}
	for _, tc := range tests {
		got, err := parseTimeArg("--expires", tc.in, from)
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("parseTimeArg(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.bad)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseTimeArg(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
