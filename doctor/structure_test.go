package doctor

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// editedClean returns testdata/templates/clean.json after edit changed its
// DistributionConfig.
func editedClean(t *testing.T, edit func(cfg map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/templates/clean.json")
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	dist := tpl["Resources"].(map[string]any)["Distribution"].(map[string]any)
	edit(dist["Properties"].(map[string]any)["DistributionConfig"].(map[string]any))
	out, err := json.Marshal(tpl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withBehaviors replaces the cache behaviors with n copies of clean.json's
// *.m3u8 behavior, each on its own directory.
func withBehaviors(n int) func(map[string]any) {
	return func(cfg map[string]any) {
		first := cfg["CacheBehaviors"].([]any)[1].(map[string]any)
		var list []any
		for i := 0; i < n; i++ {
			b := map[string]any{}
			for k, v := range first {
				b[k] = v
			}
			b["PathPattern"] = fmt.Sprintf("dir%d/*.m3u8", i)
			list = append(list, b)
		}
		cfg["CacheBehaviors"] = list
	}
}

// TestTemplateStructure: what CloudFront rejects before serving anything is
// a failure, not a pass: a behavior targeting no origin of the distribution;
// past the default quota of 75 behaviors, a warning.
func TestTemplateStructure(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(map[string]any)
		fail     string // a FAIL finding's ID, or ""
		warn     string // a WARN finding's ID, or ""
		words    string // in its pattern or What
		notFound []string
	}{
		{"clean as is", func(map[string]any) {}, "", "", "", []string{"behavior.unknown-origin", "behavior.quota"}},
		{"one behavior targets a missing origin", func(cfg map[string]any) {
			cfg["CacheBehaviors"].([]any)[2].(map[string]any)["TargetOriginId"] = "Gone"
		}, "behavior.unknown-origin", "", "*.ts", []string{"behavior.ok"}},
		{"the default targets nothing", func(cfg map[string]any) {
			delete(cfg["DefaultCacheBehavior"].(map[string]any), "TargetOriginId")
		}, "behavior.unknown-origin", "", "Default (*)", nil},
		{"many behaviors listed briefly", func(cfg map[string]any) {
			withBehaviors(9)(cfg)
			for _, b := range cfg["CacheBehaviors"].([]any) {
				b.(map[string]any)["TargetOriginId"] = "Gone"
			}
		}, "behavior.unknown-origin", "", "and 4 more", nil},
		{"75 behaviors: at the quota", withBehaviors(75), "", "", "", []string{"behavior.quota"}},
		{"76 behaviors: over it", withBehaviors(76), "", "behavior.quota", "76 cache behaviors", []string{"behavior.ok"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := CheckTemplateJSON("Stack", editedClean(t, tc.edit))
			if err != nil {
				t.Fatal(err)
			}
			for sev, id := range map[Severity]string{SeverityFail: tc.fail, SeverityWarn: tc.warn} {
				if id == "" {
					continue
				}
				f := mustFind(t, r, sev, id)
				if !strings.Contains(f.Pattern+" "+f.What, tc.words) {
					t.Errorf("%s: pattern %q, what %q; want %q in them", id, f.Pattern, f.What, tc.words)
				}
			}
			for _, id := range tc.notFound {
				mustNotFind(t, r, id)
			}
			if tc.fail == "" && r.Failed() {
				t.Errorf("failed: %q", ids(r))
			}
		})
	}
}

// TestBehaviorListBounded: the report lists at most MaxBehaviorSummaries
// behaviors and counts the rest, in text and JSON.
func TestBehaviorListBounded(t *testing.T) {
	for _, n := range []int{MaxBehaviorSummaries - 1, MaxBehaviorSummaries + 5} {
		data := editedClean(t, withBehaviors(n))
		r, err := CheckTemplateJSON("Stack", data)
		if err != nil {
			t.Fatal(err)
		}
		total := n + 1 // and the default behavior
		wantListed, wantLeft := min(total, MaxBehaviorSummaries), max(0, total-MaxBehaviorSummaries)
		if len(r.Behaviors) != wantListed || r.BehaviorsNotListed != wantLeft {
			t.Errorf("%d behaviors: listed %d, not listed %d; want %d, %d", total, len(r.Behaviors), r.BehaviorsNotListed, wantListed, wantLeft)
		}
		var text strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(text.String(), fmt.Sprintf("and %d more behaviors not listed", wantLeft)); got != (wantLeft > 0) {
			t.Errorf("%d behaviors: text says more are not listed: %v", total, got)
		}
	}
}
