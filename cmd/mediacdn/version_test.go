package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		var out, errOut bytes.Buffer
		if code := run([]string{flag}, &out, &errOut); code != exitOK {
			t.Fatalf("%s: exit %d, stderr %q", flag, code, errOut.String())
		}
		if !strings.HasPrefix(out.String(), "mediacdn ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("%s printed %q, want \"mediacdn VERSION goX\"", flag, out.String())
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	cases := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go install @tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0 go1.26.8"},
		{"tag wins over the revision", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
			Settings: settings("vcs.revision", "0123456789abcdef0123")}, true, "v1.4.0 go1.26.8"},
		{"clone build", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "0123456789abcdef0123", "vcs.modified", "false")}, true, "(devel) 0123456789ab go1.26.8"},
		{"dirty clone build", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true")}, true, "(devel) 0123456789ab+dirty go1.26.8"},
		{"no build info", nil, false, "unknown (built without module information)"},
	}
	for _, c := range cases {
		if got := version(c.info, c.ok); got != c.want {
			t.Errorf("%s: version = %q, want %q", c.name, got, c.want)
		}
	}
}
