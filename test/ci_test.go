package test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var requireSwitch = regexp.MustCompile(`MEDIACDN_REQUIRE_[A-Z0-9_]+`)

// requireSwitches returns the MEDIACDN_REQUIRE_* variables named in the
// repository's Go files: each turns a test's skip (a missing component)
// into a failure.
func requireSwitches(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "cdk.out" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		// This file names them all to check the scan: it does not count.
		if d.IsDir() || !strings.HasSuffix(p, ".go") || p == filepath.Join(root, "test", "ci_test.go") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, name := range requireSwitch.FindAllString(string(raw), -1) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// TestCIRequiresEverySkippedComponent: .ci/run exports every
// MEDIACDN_REQUIRE_* switch the tests read, set to 1, before it runs
// `go test ./...`, so nothing CI is meant to prove is skipped there (the CI
// harness is not relied on to set CI=true or anything else).
func TestCIRequiresEverySkippedComponent(t *testing.T) {
	raw, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	script := string(raw)
	goTest := regexp.MustCompile(`(?m)^go test \./\.\.\.$`).FindStringIndex(script)
	if goTest == nil {
		t.Fatal(".ci/run has no `go test ./...` line")
	}
	names := requireSwitches(t, "..")
	for _, want := range []string{"MEDIACDN_REQUIRE_BROWSER", "MEDIACDN_REQUIRE_CDK_CLI", "MEDIACDN_REQUIRE_CFNLINT", "MEDIACDN_REQUIRE_S3GW"} {
		if !slices.Contains(names, want) {
			t.Errorf("no Go file names %s: the scan misses switches (found %v)", want, names)
		}
	}
	for _, name := range names {
		export := regexp.MustCompile(`(?m)^export ` + name + `=1$`).FindStringIndex(script)
		switch {
		case export == nil:
			t.Errorf(".ci/run does not `export %s=1`: CI would skip what it is meant to prove", name)
		case export[0] > goTest[0]:
			t.Errorf(".ci/run exports %s after `go test ./...`", name)
		}
	}
}
