package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets the tests run this binary's main as the CDK CLI runs the
// app: in a child process with the CLI's environment.
func TestMain(m *testing.M) {
	if os.Getenv("MEDIACDN_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runApp runs main in a child process with env added to a clean environment.
func runApp(t *testing.T, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append([]string{"MEDIACDN_TEST_RUN_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20"}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestRunWithoutTheCLI: `go run .` by hand has no CDK_OUTDIR and no context.
// Old behaviour: the app synthesized into a temporary directory with no
// settings and failed with "AllowedOrigins is empty", which sent users to
// cdk.json, where the origins were already set.
func TestRunWithoutTheCLI(t *testing.T) {
	out, code := runApp(t)
	if code != 2 {
		t.Errorf("exit status %d, want 2:\n%s", code, out)
	}
	for _, want := range []string{"run by the CDK CLI", "npx cdk synth", "npx cdk deploy", "-c key=value", "go run ./cmd/mediacdn"} {
		if !strings.Contains(out, want) {
			t.Errorf("message does not mention %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "AllowedOrigins") || strings.Contains(out, "allowedOrigins\" is empty") {
		t.Errorf("message still reports a configuration error:\n%s", out)
	}
}

// TestRunReportsEveryProblemOnce runs the app as the CLI does, with a bad
// context: one "mediacdn:" prefix (old behaviour: "mediacdn: mediacdn:
// invalid props: ..."), context and construct problems together, exit 1.
func TestRunReportsEveryProblemOnce(t *testing.T) {
	out, code := runApp(t, "CDK_OUTDIR="+t.TempDir(),
		`CDK_CONTEXT_JSON={"allowedOrigins":["app.example.com","https://ok.example.com/"],"accessLogRetentionDays":0,"accessLogging":true}`)
	if code != 1 {
		t.Errorf("exit status %d, want 1:\n%s", code, out)
	}
	if n := strings.Count(out, "mediacdn:"); n != 1 {
		t.Errorf("%d \"mediacdn:\" prefixes, want 1:\n%s", n, out)
	}
	for _, want := range []string{`context "allowedOrigins" item 0 "app.example.com": has no scheme`,
		`context "allowedOrigins" item 1 "https://ok.example.com/": ends with a slash`, `context "accessLogRetentionDays"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not mention %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "panic") || strings.Contains(out, "goroutine") {
		t.Errorf("a panic:\n%s", out)
	}
}
