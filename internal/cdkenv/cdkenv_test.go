package cdkenv

import (
	"slices"
	"testing"
)

func TestEnv(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		major   string
		want    []string
	}{
		{"nothing set", []string{"PATH=/bin"}, "20",
			[]string{"PATH=/bin", "CDK_VALIDATION=false", SilenceNodeWarning + "=20"}},
		{"=1 does not silence Node 20", []string{SilenceNodeWarning + "=1"}, "20",
			[]string{SilenceNodeWarning + "=1,20", "CDK_VALIDATION=false"}},
		{"already right", []string{SilenceNodeWarning + "=18, 20", "CDK_VALIDATION=false"}, "20",
			[]string{SilenceNodeWarning + "=18, 20", "CDK_VALIDATION=false"}},
		{"an explicit CDK_VALIDATION is kept", []string{"CDK_VALIDATION=true"}, "22",
			[]string{"CDK_VALIDATION=true", SilenceNodeWarning + "=22"}},
		{"no node", nil, "", []string{"CDK_VALIDATION=false"}},
	}
	for _, c := range cases {
		if got := Env(c.environ, c.major); !slices.Equal(got, c.want) {
			t.Errorf("%s: Env = %q, want %q", c.name, got, c.want)
		}
	}
}
