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
	"github.com/mediacdn/mediacdn/internal/cfnlinttest"
)

func TestMain(m *testing.M) {
	cdkenv.ForTests()
	os.Exit(m.Run())
}

// wantOutputs are what a user of the example needs after deploying.
var wantOutputs = []string{"BucketName", "Domain", "KeyPairId"}

// lintBatch collects the example's synthesized templates; TestCfnLint lints
// them in one cfn-lint run.
var lintBatch cfnlinttest.Batch

// readTemplate reads a synthesized template and adds it to lintBatch.
func readTemplate(t *testing.T, file, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	if err := lintBatch.Add(name, tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func outputsOf(tpl map[string]any) []string {
	outputs, _ := tpl["Outputs"].(map[string]any)
	var names []string
	for k := range outputs {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// synthInProcess runs the example's own stack code in-process and returns
// its template.
func synthInProcess(t *testing.T) map[string]any {
	t.Helper()
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out), AnalyticsReporting: jsii.Bool(false)})
	stack, err := newVideoStack(app, "public_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	app.Synth(nil)
	return readTemplate(t, filepath.Join(out, *stack.ArtifactId()+".template.json"), "in-process/Video")
}

// TestExampleSynthesizes runs the example's own stack code in-process.
func TestExampleSynthesizes(t *testing.T) {
	if got := outputsOf(synthInProcess(t)); !slices.Equal(got, wantOutputs) {
		t.Errorf("outputs = %v, want %v", got, wantOutputs)
	}
	if _, err := newVideoStack(awscdk.NewApp(nil), "missing.pem"); err == nil || !strings.Contains(err.Error(), "mediacdn keygen") {
		t.Errorf("a missing key file gives %v, want an error saying how to create one", err)
	}
}

// TestCfnLint: cfn-lint finds no error in the example's templates (the
// in-process one, and the CDK CLI's where TestExampleWithPinnedCdkCli ran),
// linted in one run after the other tests (t.Parallel). Skipped where
// cfn-lint is not installed, failed then under MEDIACDN_REQUIRE_CFNLINT=1.
func TestCfnLint(t *testing.T) {
	if !cfnlinttest.Available(t) {
		return
	}
	if len(lintBatch.Names()) == 0 { // run alone (-run TestCfnLint)
		synthInProcess(t)
	}
	t.Parallel()
	lintBatch.Lint(t, "../../.cfnlintrc")
}

// requireCdkCli names the environment variable that runs the CDK CLI test,
// and makes a missing CLI a failure; .ci/run sets it to 1.
const requireCdkCli = "MEDIACDN_REQUIRE_CDK_CLI"

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
	// Node, the CLI and `go run` take several seconds: .ci/run sets
	// MEDIACDN_REQUIRE_CDK_CLI=1, under which this runs and a missing CLI
	// fails; elsewhere it is skipped.
	if os.Getenv(requireCdkCli) != "1" {
		t.Skip("synthesizing with the CDK CLI is skipped here; set " + requireCdkCli + "=1 to run it (.ci/run does; TestExampleSynthesizes covers the app in-process)")
	}
	cli, err := filepath.Abs("../../node_modules/.bin/cdk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("the pinned CDK CLI is not installed (%s=1 requires it): run `npm ci` at the repository root (.ci/run does)", requireCdkCli)
	}
	out := t.TempDir()
	cmd := exec.Command(cli, "synth", "--quiet", "--output", out, "-c", "stackName=video-test")
	cmd.Env = append(os.Environ(), "CDK_DISABLE_VERSION_CHECK=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth failed: %v\n%s", err, msg)
	}
	if got := outputsOf(readTemplate(t, filepath.Join(out, "Video.template.json"), "cdk-cli/Video")); !slices.Equal(got, wantOutputs) {
		t.Errorf("outputs = %v, want %v", got, wantOutputs)
	}
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || !strings.Contains(string(manifest), `"stackName": "video-test"`) {
		t.Errorf("the -c stackName=video-test context did not reach the app (manifest: %.300s)", manifest)
	}
}
