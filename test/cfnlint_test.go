package test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"

	"github.com/mediacdn/mediacdn/internal/cfnlinttest"
)

// lintBatch collects every template this package's tests synthesize;
// TestCfnLint lints them all in one cfn-lint run.
var lintBatch cfnlinttest.Batch

// templateOf returns a stack's template from an assembly as JSON values,
// and adds it to lintBatch under name.
func templateOf(asm cxapi.CloudAssembly, stack awscdk.Stack, name string) (map[string]any, error) {
	raw, err := json.Marshal(asm.GetStackArtifact(stack.ArtifactId()).Template())
	if err != nil {
		return nil, err
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		return nil, err
	}
	return tpl, lintBatch.Add(name, tpl)
}

// synthStacks synthesizes app once and returns the stacks' templates in
// order, each added to lintBatch under the test's name and the stack's id.
func synthStacks(t *testing.T, app awscdk.App, stacks ...awscdk.Stack) []map[string]any {
	t.Helper()
	asm := app.Synth(nil)
	out := make([]map[string]any, len(stacks))
	for i, st := range stacks {
		tpl, err := templateOf(asm, st, t.Name()+"/"+*st.ArtifactId())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tpl
	}
	return out
}

// TestCfnLint: cfn-lint finds no error in any template the package's tests
// synthesized (every scenario, the dev/prod and longest-name stacks, the
// stacks sharing policies across stacks, key rotation...), linted in one
// run with the negative control, whose errors it must find. t.Parallel
// holds it until every sequential test has returned, so their templates
// are in the batch (a test that synthesizes must not itself be parallel).
// Skipped where cfn-lint is not installed; fails then under
// MEDIACDN_REQUIRE_CFNLINT=1, which .ci/run sets.
func TestCfnLint(t *testing.T) {
	if !cfnlinttest.Available(t) {
		return
	}
	synthAll(t) // the scenarios are linted even under -run TestCfnLint
	t.Parallel()
	lintBatch.Lint(t, "../.cfnlintrc")
}
