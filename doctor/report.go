// Package doctor diagnoses CORS, caching and signing failures of media served
// from S3 through CloudFront, either live (CheckURL sends what a browser
// sends, walks HLS playlists and reads the answers) or statically
// (CheckTemplate audits a CloudFormation template, a cdk.out directory or the
// JSON of aws cloudfront get-distribution-config). Both return a Report of
// Findings, each saying what failed, where, the likely cause and the fix.
//
// The package does no printing: Report.WriteText and Report.WriteJSON render
// to a writer the caller passes in.
package doctor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Severity of a finding. A report with any SeverityFail finding fails.
type Severity string

// Severities, from worst to best.
const (
	SeverityFail Severity = "fail"
	SeverityWarn Severity = "warn"
	SeverityInfo Severity = "info"
	SeverityPass Severity = "pass"
)

func (s Severity) rank() int {
	switch s {
	case SeverityFail:
		return 0
	case SeverityWarn:
		return 1
	case SeverityInfo:
		return 2
	}
	return 3
}

// Finding is one result of a check.
type Finding struct {
	Severity Severity `json:"severity"`
	// ID is a stable short code, e.g. "cors.missing-acao".
	ID string `json:"id"`
	// URL is the (first) URL the finding is about (live mode).
	URL string `json:"url,omitempty"`
	// URLs lists every URL with the same finding, when there are several
	// (capped at maxURLsPerFinding; Count has the total).
	URLs  []string `json:"urls,omitempty"`
	Count int      `json:"count,omitempty"`
	// Resource names the template resource (stack/logical ID, or the
	// distribution), in template mode.
	Resource string `json:"resource,omitempty"`
	// Pattern is the cache behavior path pattern concerned. In live mode it
	// is the behavior the URL matched when a template was given, otherwise
	// the URL's extension as a pattern (e.g. "*.ts").
	Pattern string `json:"pattern,omitempty"`
	What    string `json:"what"`
	Cause   string `json:"cause,omitempty"`
	Fix     string `json:"fix,omitempty"`

	// distinct keeps the finding apart from others with the same ID and
	// URL when merging (each parse note of a playlist is its own finding).
	distinct bool
	// referenced asks for where the URL was found to be added to the cause
	// once the walk is over.
	referenced bool
}

// Exchange is one request the live doctor sent and what came back.
type Exchange struct {
	// Name is get-origin, get-no-origin, preflight or get-origin-repeat.
	Name        string `json:"name"`
	Method      string `json:"method"`
	Status      int    `json:"status,omitempty"`
	XCache      string `json:"x_cache,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	ACAO        string `json:"access_control_allow_origin,omitempty"`
	Vary        string `json:"vary,omitempty"`
	Error       string `json:"error,omitempty"`
	// FinalURL is the URL that answered, when a redirect was followed.
	FinalURL string `json:"final_url,omitempty"`
}

// Probe is what the live doctor saw for one URL.
type Probe struct {
	URL string `json:"url"`
	// Kind is how the URL was found: "start", or an hls.Kind (variant,
	// segment, init, key...).
	Kind    string `json:"kind"`
	Pattern string `json:"pattern,omitempty"`
	Parent  string `json:"parent,omitempty"`
	// FinalURL is where the GET with Origin ended, when it was redirected.
	FinalURL  string     `json:"final_url,omitempty"`
	Exchanges []Exchange `json:"exchanges"`
}

// BehaviorSummary describes one cache behavior, in template mode.
type BehaviorSummary struct {
	Distribution          string   `json:"distribution"`
	Pattern               string   `json:"pattern"`
	TargetOrigin          string   `json:"target_origin,omitempty"`
	CachePolicy           string   `json:"cache_policy"`
	OriginRequestPolicy   string   `json:"origin_request_policy"`
	ResponseHeadersPolicy string   `json:"response_headers_policy"`
	AllowedMethods        []string `json:"allowed_methods"`
	Signed                bool     `json:"signed"`
	ViewerProtocolPolicy  string   `json:"viewer_protocol_policy,omitempty"`
}

// Summary counts findings by severity.
type Summary struct {
	Fail int `json:"fail"`
	Warn int `json:"warn"`
	Info int `json:"info"`
	Pass int `json:"pass"`
}

// Report is the result of CheckURL or CheckTemplate.
type Report struct {
	// Mode is "live" or "template".
	Mode string `json:"mode"`
	// Target is the URL (live) or the file or directory (template) checked.
	Target string `json:"target"`
	// Origin is the Origin header value sent (live).
	Origin string `json:"origin,omitempty"`
	// Incomplete is set when a live walk did not check every URL it found
	// (--max-urls, --max-time, the byte budget, nesting depth, a reference
	// or redirect not followed); the findings with IDs walk.* say what was
	// left out.
	Incomplete bool              `json:"incomplete,omitempty"`
	Findings   []Finding         `json:"findings"`
	Probes     []Probe           `json:"probes,omitempty"`
	Behaviors  []BehaviorSummary `json:"behaviors,omitempty"`
	// BehaviorsNotListed counts the behaviors past MaxBehaviorSummaries,
	// left out of Behaviors so a hostile template cannot grow the report.
	BehaviorsNotListed int `json:"behaviorsNotListed,omitempty"`
}

// MaxBehaviorSummaries bounds Report.Behaviors: CloudFront's default quota
// is 75 behaviors per distribution, so real templates stay far below it.
const MaxBehaviorSummaries = 1000

// Count returns the number of findings of severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Failures returns the number of failed checks.
func (r *Report) Failures() int { return r.Count(SeverityFail) }

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Failures() > 0 }

// Summary counts the findings by severity.
func (r *Report) Summary() Summary {
	return Summary{Fail: r.Count(SeverityFail), Warn: r.Count(SeverityWarn), Info: r.Count(SeverityInfo), Pass: r.Count(SeverityPass)}
}

// Find returns the findings with the given ID.
func (r *Report) Find(id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// Result is "fail" when a check failed, "incomplete" when none failed but
// the walk did not check everything, else "pass".
func (r *Report) Result() string {
	switch {
	case r.Failed():
		return "fail"
	case r.Incomplete:
		return "incomplete"
	}
	return "pass"
}

// JSON renders the report as one JSON document.
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteJSON writes the JSON document to w: "tool", "result" and "summary",
// then the report's own fields, with a two-space indent, as
// json.MarshalIndent would write them, and a newline. It is written
// one finding and one probe at a time, so that rendering a report of a
// few thousand probes of 8 KiB URLs (an 80 MiB document) holds one of them
// at a time, not the document and its indented copy.
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	jw := jsonWriter{w: bw}
	jw.open()
	jw.field("tool", "mediacdn doctor")
	jw.field("result", r.Result())
	jw.field("summary", r.Summary())
	jw.field("mode", r.Mode)
	jw.field("target", r.Target)
	if r.Origin != "" {
		jw.field("origin", r.Origin)
	}
	if r.Incomplete {
		jw.field("incomplete", true)
	}
	jw.list("findings", len(r.Findings), true, func(i int) any { return r.Findings[i] })
	jw.list("probes", len(r.Probes), false, func(i int) any { return r.Probes[i] })
	jw.list("behaviors", len(r.Behaviors), false, func(i int) any { return r.Behaviors[i] })
	jw.close()
	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// jsonWriter writes the members of one top-level object as
// json.MarshalIndent(v, "", "  ") would, keeping the first error.
type jsonWriter struct {
	w   *bufio.Writer
	n   int // members written
	err error
}

func (j *jsonWriter) open() { _, j.err = j.w.WriteString("{") }

func (j *jsonWriter) close() {
	if j.err == nil {
		_, j.err = j.w.WriteString("\n}\n")
	}
}

// key starts a member: the separator, the newline and indent, the key.
func (j *jsonWriter) key(k string) {
	if j.err != nil {
		return
	}
	if j.n > 0 {
		j.w.WriteByte(',')
	}
	j.n++
	kb, _ := json.Marshal(k)
	j.w.WriteString("\n  ")
	j.w.Write(kb)
	j.w.WriteString(": ")
}

// value writes v indented as at depth, after a key or a list bracket.
func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

func (j *jsonWriter) field(k string, v any) {
	j.key(k)
	j.value(v, "  ")
}

// list writes a member holding n elements; an empty list is left out, as
// omitempty does, unless always (then it is []).
func (j *jsonWriter) list(k string, n int, always bool, elem func(i int) any) {
	if n == 0 {
		if always {
			j.key(k)
			if j.err == nil {
				_, j.err = j.w.WriteString("[]")
			}
		}
		return
	}
	j.key(k)
	if j.err == nil {
		j.w.WriteString("[")
	}
	for i := 0; i < n && j.err == nil; i++ {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.WriteString("\n    ")
		j.value(elem(i), "    ")
	}
	if j.err == nil {
		_, j.err = j.w.WriteString("\n  ]")
	}
}

// WriteText writes the human-readable report to w. Everything that can come
// from outside (URLs, header values, playlist text, template names) is
// printed through safetext.Escape, so no control character reaches the
// terminal.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w) // streamed: a report of 2000 probes is tens of MiB of text
	esc := safetext.Escape
	switch r.Mode {
	case "live":
		fmt.Fprintf(b, "mediacdn doctor: live check of %s\n", esc(r.Target))
		fmt.Fprintf(b, "Origin sent: %s\n", esc(r.Origin))
	default:
		fmt.Fprintf(b, "mediacdn doctor: template check of %s\n", esc(r.Target))
	}
	for _, f := range r.Findings {
		b.WriteString("\n")
		head := fmt.Sprintf("%-4s  %s", strings.ToUpper(string(f.Severity)), esc(f.ID))
		if f.Pattern != "" {
			head += "  [" + esc(f.Pattern) + "]"
		}
		b.WriteString(head + "\n")
		if f.Resource != "" {
			fmt.Fprintf(b, "      Resource: %s\n", esc(f.Resource))
		}
		if f.URL != "" {
			u := esc(f.URL)
			if f.Count > 1 {
				u += fmt.Sprintf(" (and %d more)", f.Count-1)
			}
			fmt.Fprintf(b, "      URL:      %s\n", u)
		}
		fmt.Fprintf(b, "      What:     %s\n", esc(f.What))
		if f.Cause != "" {
			fmt.Fprintf(b, "      Cause:    %s\n", esc(f.Cause))
		}
		if f.Fix != "" {
			fmt.Fprintf(b, "      Fix:      %s\n", esc(f.Fix))
		}
	}
	if len(r.Probes) > 0 {
		fmt.Fprintf(b, "\nURLs checked (%d): status with Origin / without / preflight, x-cache, Access-Control-Allow-Origin, Content-Type\n", len(r.Probes))
		for _, p := range r.Probes {
			b.WriteString("  " + probeLine(p) + "\n")
		}
	}
	if len(r.Behaviors) > 0 {
		b.WriteString("\nBehaviors (in match order):\n")
		for _, s := range r.Behaviors {
			signed := "unsigned"
			if s.Signed {
				signed = "signed"
			}
			fmt.Fprintf(b, "  %s %s: cache %s; origin request %s; response headers %s; %s; %s\n",
				esc(s.Distribution), esc(s.Pattern), esc(s.CachePolicy), esc(s.OriginRequestPolicy), esc(s.ResponseHeadersPolicy),
				esc(strings.Join(s.AllowedMethods, ",")), signed)
		}
		if r.BehaviorsNotListed > 0 {
			fmt.Fprintf(b, "  ... and %d more behaviors not listed (at most %d are)\n", r.BehaviorsNotListed, MaxBehaviorSummaries)
		}
	}
	s := r.Summary()
	fmt.Fprintf(b, "\nResult: %s (%d fail, %d warn, %d info, %d pass)\n", strings.ToUpper(r.Result()), s.Fail, s.Warn, s.Info, s.Pass)
	return b.Flush()
}

// probeLine is one line of the probe table, escaped.
func probeLine(p Probe) string {
	status := func(name string) string {
		for _, e := range p.Exchanges {
			if e.Name == name {
				if e.Error != "" {
					return "ERR"
				}
				return fmt.Sprint(e.Status)
			}
		}
		return "-"
	}
	var first Exchange
	for _, e := range p.Exchanges {
		if e.Name == "get-origin" {
			first = e
		}
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return safetext.Escape(s)
	}
	xc := first.XCache
	if i := strings.Index(xc, " from "); i > 0 {
		xc = xc[:i]
	}
	line := fmt.Sprintf("%s/%s/%s  %s  %s  %s  %s", status("get-origin"), status("get-no-origin"), status("preflight"),
		dash(xc), dash(first.ACAO), dash(first.ContentType), safetext.Escape(p.URL))
	if p.FinalURL != "" {
		line += " -> " + safetext.Escape(p.FinalURL)
	}
	return line
}

const (
	maxURLsPerFinding = 50
	// maxFindings bounds the findings of a report; the worst are kept.
	maxFindings = 500
)

// merge folds findings with the same severity, ID, pattern and resource into
// one that lists every URL, keeping the first one's words, and sorts the
// result by severity (stable, so check order is kept within a severity).
// Findings marked distinct (parse notes) are merged only with identical
// ones. Past maxFindings, the least severe are dropped and counted in one
// report.truncated finding.
func merge(in []Finding) []Finding {
	type key struct{ sev, id, pattern, resource, what string }
	idx := map[key]int{}
	var out []Finding
	for _, f := range in {
		k := key{string(f.Severity), f.ID, f.Pattern, f.Resource, ""}
		if f.distinct {
			k.what = f.What
		}
		if i, ok := idx[k]; ok && f.URL != "" {
			o := &out[i]
			if o.URL == f.URL {
				continue
			}
			if len(o.URLs) == 0 {
				o.URLs = []string{o.URL}
			}
			dup := false
			for _, u := range o.URLs {
				if u == f.URL {
					dup = true
				}
			}
			if dup {
				continue
			}
			o.Count++
			if len(o.URLs) < maxURLsPerFinding {
				o.URLs = append(o.URLs, f.URL)
			}
			continue
		}
		if f.URL != "" {
			f.Count = 1
		}
		idx[k] = len(out)
		out = append(out, f)
	}
	for i := range out {
		if out[i].Count == 1 {
			out[i].Count = 0
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.rank() < out[j].Severity.rank() })
	if len(out) > maxFindings {
		dropped := map[Severity]int{}
		for _, f := range out[maxFindings-1:] {
			dropped[f.Severity]++
		}
		n := len(out) - (maxFindings - 1)
		out = append(out[:maxFindings-1:maxFindings-1], Finding{Severity: SeverityWarn, ID: "report.truncated",
			What: fmt.Sprintf("%d more findings are not listed (%d fail, %d warn, %d info, %d pass): a report lists at most %d",
				n, dropped[SeverityFail], dropped[SeverityWarn], dropped[SeverityInfo], dropped[SeverityPass], maxFindings)})
	}
	return out
}
