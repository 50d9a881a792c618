package doctor

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./doctor/ -run %s -update, then review the file)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; got:\n%s", p, got)
	}
}

const recordedHost = "https://d16ufd393m7gss.cloudfront.net"

func TestGoldenLiveText(t *testing.T) {
	srv, _ := seed002Server(t)
	r := check(t, LiveOptions{URL: srv.URL + seedFailing + "origin.m3u8"})
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	// The test server's address changes on every run.
	out := strings.ReplaceAll(b.String(), srv.URL, recordedHost)
	golden(t, "seed002-failing.golden", []byte(out))
}

func TestGoldenTemplateText(t *testing.T) {
	r, err := CheckTemplate("testdata/templates/seed002.json")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "seed002-template.golden", b.Bytes())
}

func TestJSONSchema(t *testing.T) {
	srv, _ := seed002Server(t)
	r := check(t, LiveOptions{URL: srv.URL + seedFailing + "origin.m3u8"})
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	// One document.
	dec := json.NewDecoder(bytes.NewReader(b.Bytes()))
	var doc struct {
		Tool    string `json:"tool"`
		Result  string `json:"result"`
		Mode    string `json:"mode"`
		Target  string `json:"target"`
		Origin  string `json:"origin"`
		Summary struct {
			Fail, Warn, Info, Pass int
		} `json:"summary"`
		Findings []struct {
			Severity string   `json:"severity"`
			ID       string   `json:"id"`
			URL      string   `json:"url"`
			URLs     []string `json:"urls"`
			Count    int      `json:"count"`
			Pattern  string   `json:"pattern"`
			What     string   `json:"what"`
			Cause    string   `json:"cause"`
			Fix      string   `json:"fix"`
		} `json:"findings"`
		Probes []struct {
			URL       string `json:"url"`
			Kind      string `json:"kind"`
			Pattern   string `json:"pattern"`
			Exchanges []struct {
				Name   string `json:"name"`
				Method string `json:"method"`
				Status int    `json:"status"`
				XCache string `json:"x_cache"`
				ACAO   string `json:"access_control_allow_origin"`
				Vary   string `json:"vary"`
				CT     string `json:"content_type"`
				Error  string `json:"error"`
			} `json:"exchanges"`
			Parent string `json:"parent"`
		} `json:"probes"`
	}
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, b.String())
	}
	if dec.More() {
		t.Error("more than one JSON document")
	}
	if doc.Tool != "mediacdn doctor" || doc.Result != "fail" || doc.Mode != "live" || doc.Origin != testOrigin ||
		doc.Target != srv.URL+seedFailing+"origin.m3u8" {
		t.Errorf("header = %+v", doc)
	}
	if doc.Summary.Fail != r.Count(SeverityFail) || doc.Summary.Fail == 0 || doc.Summary.Pass != r.Count(SeverityPass) {
		t.Errorf("summary = %+v", doc.Summary)
	}
	var acao *struct{ n int }
	for _, f := range doc.Findings {
		if f.Severity == "" || f.ID == "" || f.What == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		if f.ID == "cors.missing-acao" && f.Pattern == "*.m3u8" {
			acao = &struct{ n int }{f.Count}
			if len(f.URLs) != f.Count || f.URLs[0] != f.URL || f.Cause == "" || f.Fix == "" {
				t.Errorf("merged finding = %+v", f)
			}
		}
	}
	if acao == nil || acao.n != 4 {
		t.Errorf("cors.missing-acao for *.m3u8: %+v", acao)
	}
	if len(doc.Probes) != 6 {
		t.Fatalf("%d probes", len(doc.Probes))
	}
	p := doc.Probes[0]
	if p.Kind != "start" || p.Pattern != "*.m3u8" || len(p.Exchanges) != 4 {
		t.Fatalf("probe = %+v", p)
	}
	names := []string{"get-origin", "get-no-origin", "preflight", "get-origin-repeat"}
	for i, e := range p.Exchanges {
		if e.Name != names[i] {
			t.Errorf("exchange %d = %s", i, e.Name)
		}
	}
	if p.Exchanges[0].Status != 200 || p.Exchanges[0].Vary != "Origin" || p.Exchanges[0].XCache != "Miss from cloudfront" || p.Exchanges[2].Method != "OPTIONS" || p.Exchanges[2].Status != 400 || p.Exchanges[0].ACAO != "" {
		t.Errorf("exchanges = %+v", p.Exchanges)
	}
}

func TestTemplateJSON(t *testing.T) {
	r, err := CheckTemplate("testdata/templates/seed002.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["mode"] != "template" || doc["result"] != "fail" {
		t.Errorf("doc = %v", doc)
	}
	behaviors, _ := doc["behaviors"].([]any)
	if len(behaviors) != 3 {
		t.Fatalf("behaviors = %v", doc["behaviors"])
	}
	first, _ := behaviors[0].(map[string]any)
	if first["pattern"] != "*.m3u8" || first["cache_policy"] != "CachingDisabled" || first["response_headers_policy"] != "CORS-with-preflight-and-SecurityHeadersPolicy" || first["origin_request_policy"] != "none" {
		t.Errorf("first behavior = %v", first)
	}
}

func TestEmptyReportJSON(t *testing.T) {
	b, err := (&Report{Mode: "template", Target: "x"}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"findings": []`)) || !bytes.Contains(b, []byte(`"result": "pass"`)) {
		t.Errorf("%s", b)
	}
}

func TestMerge(t *testing.T) {
	in := []Finding{
		{Severity: SeverityWarn, ID: "a", URL: "u1", Pattern: "*.ts"},
		{Severity: SeverityFail, ID: "b", URL: "u1"},
		{Severity: SeverityWarn, ID: "a", URL: "u2", Pattern: "*.ts"},
		{Severity: SeverityWarn, ID: "a", URL: "u2", Pattern: "*.ts"},
		{Severity: SeverityWarn, ID: "a", URL: "u3", Pattern: "*.m3u8"},
		{Severity: SeverityPass, ID: "c"},
	}
	out := merge(in)
	if len(out) != 4 || out[0].ID != "b" || out[1].Count != 2 || strings.Join(out[1].URLs, ",") != "u1,u2" || out[2].Count != 0 || out[3].ID != "c" {
		t.Errorf("merge = %+v", out)
	}
}

// WriteJSON streams the document piece by piece; it must be, byte for byte,
// what encoding/json writes for the whole document at once.
func TestWriteJSONIsMarshalIndent(t *testing.T) {
	type jsonReport struct {
		Tool    string  `json:"tool"`
		Result  string  `json:"result"`
		Summary Summary `json:"summary"`
		*Report
	}
	tmpl, err := CheckTemplate("testdata/templates/seed002.json")
	if err != nil {
		t.Fatal(err)
	}
	live := &Report{Mode: "live", Target: "https://h/a.m3u8?x=<&>", Origin: "http://localhost:3010", Incomplete: true,
		Findings: []Finding{{Severity: SeverityWarn, ID: "walk.off-host", URL: "http://o/\x1b[31m\u2028", URLs: []string{"a", "b"}, Count: 2, What: "w", Fix: "f"}},
		Probes: []Probe{{URL: "https://h/a.ts", Kind: "segment", FinalURL: "https://h/b.ts", Exchanges: []Exchange{{Name: "get-origin", Method: "GET", Status: 302, FinalURL: "https://h/b.ts"}}},
			{URL: "https://h/c.ts", Kind: "segment", Exchanges: nil}}}
	for name, r := range map[string]*Report{
		"empty":     {Mode: "template", Target: "x"},
		"template":  tmpl,
		"live":      live,
		"no-probes": {Mode: "live", Target: "t", Findings: []Finding{{Severity: SeverityPass, ID: "http.ok", What: "ok"}}, Probes: []Probe{}},
	} {
		rep := *r
		if rep.Findings == nil {
			rep.Findings = []Finding{}
		}
		want, err := json.MarshalIndent(jsonReport{Tool: "mediacdn doctor", Result: r.Result(), Summary: r.Summary(), Report: &rep}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		var got bytes.Buffer
		if err := r.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteJSON differs from MarshalIndent:\n%s\nwant:\n%s", name, got.Bytes(), want)
		}
	}
}
