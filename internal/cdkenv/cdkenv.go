// Package cdkenv prepares the environment of a test binary that synthesizes
// CDK apps. The jsii runtime captures the process environment for its Node
// child while the Go packages initialize, before TestMain runs, so setting a
// variable in TestMain never reaches Node: ForTests re-executes the test
// binary with the variables set instead (once; a few milliseconds).
//
//	func TestMain(m *testing.M) {
//		cdkenv.ForTests()
//		os.Exit(m.Run())
//	}
package cdkenv

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"

	"github.com/aws/jsii-runtime-go"
)

// SilenceNodeWarning is the variable jsii reads; it silences the Node
// end-of-life banner only when it lists the running Node major version
// ("20"): "1" does not.
const SilenceNodeWarning = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// Validation is the variable aws-cdk-lib reads before running its template
// validator on a synth (seconds per synth); "false" turns it off. A test that
// wants the validator registers it on its app
// (awscdk.Validations_Of(app).AddPlugins(awscdk.NewCloudFormationValidatePlugin(nil))),
// which this variable does not affect.
const Validation = "CDK_VALIDATION"

// reexecMarker stops a second re-execution whatever happens.
const reexecMarker = "MEDIACDN_CDKENV_REEXEC"

// ForTests makes sure the Node process of this test binary runs with the
// template validator off (unless CDK_VALIDATION is set explicitly) and the
// Node end-of-life banner silenced, re-executing the binary when needed.
func ForTests() {
	env := Env(os.Environ(), NodeMajor())
	if slices.Equal(env, os.Environ()) || os.Getenv(reexecMarker) != "" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return // run as is: slower, and the banner shows
	}
	jsii.Close() // removes the runtime the jsii package unpacked at init
	_ = syscall.Exec(exe, os.Args, append(env, reexecMarker+"=1"))
}

// Env returns environ with the variables ForTests sets: CDK_VALIDATION=false
// when it is unset, and nodeMajor added to the silencing variable when it is
// not listed there yet.
func Env(environ []string, nodeMajor string) []string {
	out := slices.Clone(environ)
	lookup := func(key string) (int, string, bool) {
		for i, kv := range out {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return i, v, true
			}
		}
		return -1, "", false
	}
	if _, _, ok := lookup(Validation); !ok {
		out = append(out, Validation+"=false")
	}
	if nodeMajor != "" {
		i, v, ok := lookup(SilenceNodeWarning)
		var listed []string
		for _, s := range strings.Split(v, ",") {
			listed = append(listed, strings.TrimSpace(s))
		}
		switch {
		case !ok:
			out = append(out, SilenceNodeWarning+"="+nodeMajor)
		case !slices.Contains(listed, nodeMajor):
			out[i] = SilenceNodeWarning + "=" + v + "," + nodeMajor
		}
	}
	return out
}

// NodeMajor returns the major version of the node on PATH ("20"), or "".
func NodeMajor() string {
	out, err := exec.Command("node", "-p", "process.versions.node.split('.')[0]").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
