// Package cffunc runs CloudFront Functions code under Node.js, the way the
// CloudFront runtime loads it (a bare top-level handler function), so tests
// can check generated or synthesized function code against sample events.
//
//	out, err := cffunc.RunViewerResponse(code, []cffunc.Event{cffunc.ViewerResponseEvent(nil, nil)})
//	vary := out[0]["vary"]["value"]
package cffunc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Event is a CloudFront Functions event object.
type Event = map[string]any

// Headers is the response headers object a handler returns, by lowercase
// name: {"vary": {"value": "Origin"}}.
type Headers = map[string]map[string]any

// harness evaluates the code without module wrappers, as CloudFront does,
// and returns the response headers of each event.
const harness = `
const fs = require('fs');
const code = fs.readFileSync(process.argv[1], 'utf8');
const handler = new Function(code + '\nreturn handler;')();
const events = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(events.map((e) => handler(e).headers)));
`

// ViewerResponseEvent builds a viewer-response event for GET /video/a.ts
// with the given request headers and response header objects.
func ViewerResponseEvent(request map[string]string, response map[string]any) Event {
	reqHeaders := map[string]any{}
	for k, v := range request {
		reqHeaders[k] = map[string]any{"value": v}
	}
	if response == nil {
		response = map[string]any{}
	}
	return Event{
		"version": "1.0",
		"context": map[string]any{"eventType": "viewer-response"},
		"viewer":  map[string]any{"ip": "198.51.100.7"},
		"request": map[string]any{
			"method": "GET", "uri": "/video/a.ts", "querystring": map[string]any{},
			"headers": reqHeaders, "cookies": map[string]any{},
		},
		"response": map[string]any{"statusCode": 200, "statusDescription": "OK", "headers": response, "cookies": map[string]any{}},
	}
}

// RunViewerResponse runs code on each event with the node found on PATH and
// returns the response headers the handler produced for each.
func RunViewerResponse(code string, events []Event) ([]Headers, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH (the CDK needs it too): install Node.js 20 or newer")
	}
	dir, err := os.MkdirTemp("", "cffunc")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	codeFile := filepath.Join(dir, "fn.js")
	eventsFile := filepath.Join(dir, "events.json")
	raw, err := json.Marshal(events)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(codeFile, []byte(code), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(eventsFile, raw, 0o600); err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(node, "-e", harness, codeFile, eventsFile)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running the function under node: %v\n%s", err, stderr.String())
	}
	var got []Headers
	if err := json.Unmarshal(out, &got); err != nil {
		return nil, fmt.Errorf("decoding the handler's output %q: %v", out, err)
	}
	return got, nil
}
