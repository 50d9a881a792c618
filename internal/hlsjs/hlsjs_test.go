package hlsjs

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// TestSameAsPinnedRelease keeps the embedded copy and package.json in step:
// upgrading hls.js means `npm install --save-exact hls.js@X` and copying
// node_modules/hls.js/dist/hls.min.js here.
func TestSameAsPinnedRelease(t *testing.T) {
	raw, err := os.ReadFile("../../package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	if got := pkg.DevDependencies["hls.js"]; got != Version {
		t.Fatalf("package.json pins hls.js %q, the embedded copy is %s", got, Version)
	}
	npm, err := os.ReadFile("../../node_modules/hls.js/dist/hls.min.js")
	if os.IsNotExist(err) {
		t.Skip("node_modules/hls.js is not installed (run npm ci): cannot compare the embedded copy")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(npm, Script) {
		t.Fatal("internal/hlsjs/hls.min.js differs from node_modules/hls.js/dist/hls.min.js: copy the pinned release here")
	}
}
