package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/internal/cdkenv"
)

func TestMain(m *testing.M) {
	cdkenv.ForTests()
	os.Exit(m.Run())
}

// wantOutputs are what a user of the example needs after deploying.
var wantOutputs = []string{"BucketName", "Domain", "KeyPairId"}

func outputsOf(t *testing.T, templateFile string) []string {
	t.Helper()
	raw, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Outputs map[string]any
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range tpl.Outputs {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// TestExampleSynthesizes runs the example's own stack code in-process.
func TestExampleSynthesizes(t *testing.T) {
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out), AnalyticsReporting: jsii.Bool(false)})
	stack, err := newVideoStack(app, "public_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	app.Synth(nil)
	if got := outputsOf(t, filepath.Join(out, *stack.ArtifactId()+".template.json")); !slices.Equal(got, wantOutputs) {
		t.Errorf("outputs = %v, want %v", got, wantOutputs)
	}
	if _, err := newVideoStack(awscdk.NewApp(nil), "missing.pem"); err == nil || !strings.Contains(err.Error(), "mediacdn keygen") {
		t.Errorf("a missing key file gives %v, want an error saying how to create one", err)
	}
}

// TestExampleWithPinnedCdkCli synthesizes the example directory exactly as
// its README says, with the CDK CLI its package.json pins (installed at the
// repository root by npm ci): cdk.json, `go run .` and all.
func TestExampleWithPinnedCdkCli(t *testing.T) {
	pin := func(file string) string {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var pkg struct {
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if err := json.Unmarshal(raw, &pkg); err != nil {
			t.Fatal(err)
		}
		return pkg.DevDependencies["aws-cdk"]
	}
	if ours, root := pin("package.json"), pin("../../package.json"); ours != root || ours == "" {
		t.Fatalf("the example pins aws-cdk %q but the repository %q: keep them equal", ours, root)
	}
	// Node, the CLI and `go run` take several seconds: CI (CI=true, as
	// .ci/run runs) does this; locally set MEDIACDN_CDK_CLI_TESTS=1.
	if os.Getenv("CI") != "true" && os.Getenv("MEDIACDN_CDK_CLI_TESTS") != "1" {
		t.Skip("synthesizing with the CDK CLI runs in CI only; set MEDIACDN_CDK_CLI_TESTS=1 to run it here (TestExampleSynthesizes covers the app in-process)")
	}
	cli, err := filepath.Abs("../../node_modules/.bin/cdk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatal("the pinned CDK CLI is not installed: run `npm ci` at the repository root (.ci/run does)")
	}
	out := t.TempDir()
	cmd := exec.Command(cli, "synth", "--quiet", "--output", out, "-c", "stackName=video-test")
	cmd.Env = append(os.Environ(), "CDK_DISABLE_VERSION_CHECK=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth failed: %v\n%s", err, msg)
	}
	if got := outputsOf(t, filepath.Join(out, "Video.template.json")); !slices.Equal(got, wantOutputs) {
		t.Errorf("outputs = %v, want %v", got, wantOutputs)
	}
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || !strings.Contains(string(manifest), `"stackName": "video-test"`) {
		t.Errorf("the -c stackName=video-test context did not reach the app (manifest: %.300s)", manifest)
	}
}
