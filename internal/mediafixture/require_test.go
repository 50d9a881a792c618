package mediafixture

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// outcome records how RequireBrowser ended a test.
type outcome struct {
	testing.TB
	skipped, failed string
}

func (o *outcome) Helper() {}
func (o *outcome) Skipf(format string, args ...any) {
	o.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (o *outcome) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (o *outcome) Fatal(args ...any) {
	o.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func requireBrowserOutcome() *outcome {
	o := &outcome{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		RequireBrowser(o)
	}()
	<-done
	return o
}

// TestRequireBrowserWithoutChromium: one skip line saying what to install,
// and a failure instead under MEDIACDN_REQUIRE_BROWSER (CI).
func TestRequireBrowserWithoutChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("MEDIACDN_CHROME", "")
	t.Setenv("MEDIACDN_REQUIRE_BROWSER", "")
	o := requireBrowserOutcome()
	if o.failed != "" || !strings.Contains(o.skipped, "apt-get install chromium") || strings.Contains(o.skipped, "\n") {
		t.Errorf("skipped %q, failed %q; want one skip line naming the install", o.skipped, o.failed)
	}
	t.Setenv("MEDIACDN_REQUIRE_BROWSER", "1")
	o = requireBrowserOutcome()
	if o.skipped != "" || !strings.Contains(o.failed, "MEDIACDN_REQUIRE_BROWSER") {
		t.Errorf("skipped %q, failed %q; want a failure under MEDIACDN_REQUIRE_BROWSER", o.skipped, o.failed)
	}
	// A Chromium named but missing is a mistake, not a missing component.
	t.Setenv("MEDIACDN_REQUIRE_BROWSER", "")
	t.Setenv("MEDIACDN_CHROME", "/nonexistent/chromium")
	o = requireBrowserOutcome()
	if o.skipped != "" || !strings.Contains(o.failed, "/nonexistent/chromium") {
		t.Errorf("skipped %q, failed %q; want a failure naming MEDIACDN_CHROME's path", o.skipped, o.failed)
	}
}
