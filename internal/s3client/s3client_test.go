package s3client

import (
	"strings"
	"testing"
)

func TestCheckBucket(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"media", true},
		{"my-bucket.example", true},
		{"abc", true},
		{strings.Repeat("a", 63), true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"Media", false},
		{"my_bucket", false},
		{"media?x=1", false},
		{"a/b", false},
		{"med\x1bia", false},
		{"", false},
	}
	for _, tc := range tests {
		err := CheckBucket(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBucket(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "3-63 characters") {
			t.Errorf("CheckBucket(%q) = %v, want the rule in the message", tc.name, err)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, want string // want "" for an error
	}{
		{"http://127.0.0.1:7070", "http://127.0.0.1:7070"},
		{"https://s3.example.com/", "https://s3.example.com"},
		{"ftp://127.0.0.1", ""},
		{"127.0.0.1:7070", ""},
		{"http://", ""},
		{"http://127.0.0.1:7070/bucket", ""},
		{"http://127.0.0.1:7070?x=1", ""},
		{"http://127.0.0.1:7070#f", ""},
		{"http://user:pw@127.0.0.1:7070", ""},
	}
	for _, tc := range tests {
		u, err := ParseEndpoint(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseEndpoint(%q) = %v, want an error", tc.in, u)
		case tc.want != "" && (err != nil || u.String() != tc.want):
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %s", tc.in, u, err, tc.want)
		}
	}
}
