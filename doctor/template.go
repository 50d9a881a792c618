package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Template is a parsed set of CloudFront distributions, with the policies,
// buckets and functions they reference: from CloudFormation templates (a
// file or a cdk.out directory) or from the JSON the AWS CLI prints for a
// distribution.
type Template struct {
	// Source is the file or directory it was read from.
	Source string
	dists  []*distribution
}

// ErrNoDistribution is returned when the input holds no CloudFront
// distribution.
var ErrNoDistribution = errors.New("no CloudFront distribution found (expected AWS::CloudFront::Distribution resources, or the output of aws cloudfront get-distribution-config)")

// LoadTemplate reads a CloudFormation template (JSON), a cdk.out directory
// (the stacks its manifest.json lists, or every *.template.json), or the JSON
// of aws cloudfront get-distribution-config / get-distribution.
func LoadTemplate(path string) (*Template, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	t := &Template{Source: path}
	if st.IsDir() {
		files, err := assemblyTemplates(path)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no manifest.json stack and no *.template.json file (run cdk synth first)", path)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(path, f)
			if err := t.add(strings.TrimSuffix(filepath.ToSlash(rel), ".template.json"), data); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		name = strings.TrimSuffix(name, ".template")
		if err := t.add(name, data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(t.dists) == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNoDistribution)
	}
	return t, nil
}

// ParseTemplate parses one document (CloudFormation template JSON or AWS CLI
// distribution JSON); name labels its resources in findings.
func ParseTemplate(name string, data []byte) (*Template, error) {
	t := &Template{Source: name}
	if err := t.add(name, data); err != nil {
		return nil, err
	}
	if len(t.dists) == 0 {
		return nil, ErrNoDistribution
	}
	return t, nil
}

// CheckTemplate loads path (see LoadTemplate) and audits it.
func CheckTemplate(path string) (*Report, error) {
	t, err := LoadTemplate(path)
	if err != nil {
		return nil, err
	}
	return t.Check(), nil
}

// CheckTemplateJSON audits one document given as bytes (see ParseTemplate).
func CheckTemplateJSON(name string, data []byte) (*Report, error) {
	t, err := ParseTemplate(name, data)
	if err != nil {
		return nil, err
	}
	return t.Check(), nil
}

// assemblyTemplates lists the stack templates of a cloud assembly: from
// manifest.json (following nested assemblies of CDK stages), else every
// *.template.json in the directory.
func assemblyTemplates(dir string) ([]string, error) {
	mf := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(mf)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
		sort.Strings(files)
		return files, err
	}
	var m struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				TemplateFile  string `json:"templateFile"`
				DirectoryName string `json:"directoryName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", mf, err)
	}
	var names []string
	for n := range m.Artifacts {
		names = append(names, n)
	}
	sort.Strings(names)
	var files []string
	for _, n := range names {
		a := m.Artifacts[n]
		switch a.Type {
		case "aws:cloudformation:stack":
			if a.Properties.TemplateFile != "" {
				files = append(files, filepath.Join(dir, a.Properties.TemplateFile))
			}
		case "cdk:cloud-assembly":
			if a.Properties.DirectoryName != "" {
				sub, err := assemblyTemplates(filepath.Join(dir, a.Properties.DirectoryName))
				if err != nil {
					return nil, err
				}
				files = append(files, sub...)
			}
		}
	}
	// Nested stacks are separate files the manifest does not list.
	nested, _ := filepath.Glob(filepath.Join(dir, "*.nested.template.json"))
	sort.Strings(nested)
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
	}
	for _, f := range nested {
		if !seen[f] {
			files = append(files, f)
		}
	}
	return files, nil
}

func (t *Template) add(name string, data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("not JSON: only JSON is read (a YAML template can be converted with cdk synth --json, or cfn-flip)")
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	switch {
	case doc["Resources"] != nil:
		st := &stack{name: name, resources: map[string]resource{}}
		res, _ := doc["Resources"].(map[string]any)
		for id, v := range res {
			m, _ := v.(map[string]any)
			typ, _ := m["Type"].(string)
			props, _ := m["Properties"].(map[string]any)
			st.resources[id] = resource{id: id, typ: typ, props: props}
		}
		var ids []string
		for id, r := range st.resources {
			if r.typ == "AWS::CloudFront::Distribution" {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			dc, _ := st.resources[id].props["DistributionConfig"].(map[string]any)
			if dc == nil {
				continue
			}
			t.dists = append(t.dists, buildDistribution(st, name+"/"+id, dc))
		}
	case doc["DistributionConfig"] != nil:
		dc, _ := doc["DistributionConfig"].(map[string]any)
		label := "DistributionConfig"
		if e, ok := doc["ETag"].(string); ok {
			label += " (ETag " + e + ")"
		}
		t.dists = append(t.dists, buildDistribution(&stack{name: name}, label, dc))
	case doc["Distribution"] != nil:
		d, _ := doc["Distribution"].(map[string]any)
		dc, _ := d["DistributionConfig"].(map[string]any)
		if dc == nil {
			return fmt.Errorf("Distribution has no DistributionConfig")
		}
		label := "distribution"
		if id, ok := d["Id"].(string); ok {
			label += " " + id
		}
		t.dists = append(t.dists, buildDistribution(&stack{name: name}, label, dc))
	default:
		return fmt.Errorf("neither a CloudFormation template (Resources) nor distribution JSON (DistributionConfig, Distribution)")
	}
	return nil
}

// --- model ---

type stack struct {
	name      string
	resources map[string]resource
}

type resource struct {
	id    string
	typ   string
	props map[string]any
}

type cachePolicy struct {
	name, id       string
	managed        bool
	unknown        bool // referenced but its contents are not in the input
	minTTL         float64
	defTTL         float64
	maxTTL         float64
	ttlUnknown     bool
	keyHeaders     []string // lower case
	queryBehavior  string   // none, whitelist, allExcept, all
	queryNames     []string
	cookieBehavior string
	cookieNames    []string
}

type originRequestPolicy struct {
	name, id       string
	managed        bool
	unknown        bool
	headerBehavior string // none, whitelist, allViewer, allViewerAndWhitelistCloudFront, allExcept
	headers        []string
}

func (o *originRequestPolicy) forwards(h string) bool {
	if o == nil || o.unknown {
		return false
	}
	switch o.headerBehavior {
	case "allViewer", "allViewerAndWhitelistCloudFront":
		return true
	case "allExcept":
		return !contains(o.headers, h)
	case "whitelist":
		return contains(o.headers, h)
	}
	return false
}

type corsConfig struct {
	origins        []string
	methods        []string
	headers        []string
	expose         []string
	credentials    bool
	originOverride bool
}

type responseHeadersPolicy struct {
	name, id string
	managed  bool
	unknown  bool
	cors     *corsConfig
}

type forwardedValues struct {
	queryString   bool
	queryKeys     []string
	headers       []string // lower case
	cookieForward string
}

type function struct {
	name      string
	eventType string
	code      string // CloudFront Function code, when in the template
}

type behavior struct {
	pattern        string // "*" for the default
	isDefault      bool
	targetOrigin   string
	allowedMethods []string
	cachedMethods  []string
	viewerProtocol string
	cache          *cachePolicy
	orp            *originRequestPolicy
	rhp            *responseHeadersPolicy
	legacy         *forwardedValues
	keyGroups      []string
	trustedSigners bool
	functions      []function
}

func (b *behavior) label() string {
	if b.isDefault {
		return "Default (*)"
	}
	return b.pattern
}

func (b *behavior) signed() bool { return len(b.keyGroups) > 0 || b.trustedSigners }

func (b *behavior) allows(m string) bool { return contains(b.allowedMethods, m) }

// inCacheKey reports whether header h is in the cache key (and so also
// forwarded to the origin).
func (b *behavior) inCacheKey(h string) bool {
	if b.cache != nil && !b.cache.unknown && contains(b.cache.keyHeaders, h) {
		return true
	}
	if b.legacy != nil && (contains(b.legacy.headers, h) || contains(b.legacy.headers, "*")) {
		return true
	}
	return false
}

// forwards reports whether header h reaches the origin.
func (b *behavior) forwards(h string) bool { return b.inCacheKey(h) || b.orp.forwards(h) }

// policiesKnown reports whether the cache, origin request and response
// headers policies of the behavior are all known (not unresolved IDs).
func (b *behavior) policiesKnown() bool {
	return (b.cache == nil || !b.cache.unknown) && (b.orp == nil || !b.orp.unknown) && (b.rhp == nil || !b.rhp.unknown)
}

func (b *behavior) corsAtEdge() *corsConfig {
	if b.rhp == nil {
		return nil
	}
	return b.rhp.cors
}

// cacheDisabled reports whether responses are never cached (max TTL 0).
func (b *behavior) cacheDisabled() bool {
	return b.cache != nil && !b.cache.unknown && !b.cache.ttlUnknown && b.cache.maxTTL == 0
}

type origin struct {
	id          string
	domain      string
	s3          bool
	website     bool
	hasOAC      bool
	oai         string // non-empty: an origin access identity is set
	bucket      *bucket
	bucketLabel string
}

type corsRule struct {
	origins, methods, headers []string
}

type bucket struct {
	id          string
	name        string
	cors        []corsRule
	hasCors     bool
	pab         map[string]bool
	hasPAB      bool
	statements  []map[string]any
	policyFound bool
}

type distribution struct {
	label     string
	stackName string
	aliases   []string
	origins   map[string]*origin
	behaviors []*behavior // ordered, default last
	notes     []Finding   // unresolved references met while building
}

func (d *distribution) defaultBehavior() *behavior {
	for _, b := range d.behaviors {
		if b.isDefault {
			return b
		}
	}
	return nil
}

// --- building the model from JSON ---

func buildDistribution(st *stack, label string, dc map[string]any) *distribution {
	d := &distribution{label: label, stackName: st.name, origins: map[string]*origin{}}
	d.aliases = strList(dc["Aliases"])
	for _, ov := range list(dc["Origins"]) {
		om, _ := ov.(map[string]any)
		if om == nil {
			continue
		}
		o := &origin{id: str(om["Id"])}
		o.domain = describe(om["DomainName"])
		_, hasS3 := om["S3OriginConfig"]
		_, hasCustom := om["CustomOriginConfig"]
		if b, attr := st.bucketOf(om["DomainName"]); b != nil {
			o.bucket = b
			o.bucketLabel = st.name + "/" + b.id
			o.website = attr == "WebsiteURL"
			o.s3 = !o.website
		} else if s, ok := om["DomainName"].(string); ok {
			low := strings.ToLower(s)
			o.website = strings.Contains(low, ".s3-website")
			i := strings.Index(low, ".s3.")
			if i < 0 {
				i = strings.Index(low, ".s3-")
			}
			o.s3 = !o.website && (i > 0 && strings.Contains(low, "amazonaws.com") || hasS3 && !hasCustom)
			if o.s3 && i > 0 {
				name := s[:i]
				o.bucket = st.bucketNamed(name)
				if o.bucket != nil {
					o.bucketLabel = st.name + "/" + o.bucket.id
				} else {
					o.bucketLabel = "bucket " + name
				}
			}
		} else {
			o.s3 = hasS3 && !hasCustom
		}
		if v, ok := om["OriginAccessControlId"]; ok && !isEmpty(v) {
			o.hasOAC = true
		}
		if s3c, ok := om["S3OriginConfig"].(map[string]any); ok {
			if v, ok := s3c["OriginAccessIdentity"]; ok && !isEmpty(v) {
				o.oai = describe(v)
			}
		}
		if o.id != "" {
			d.origins[o.id] = o
		}
	}
	for _, bv := range list(dc["CacheBehaviors"]) {
		bm, _ := bv.(map[string]any)
		if bm == nil {
			continue
		}
		d.behaviors = append(d.behaviors, buildBehavior(st, d, bm, false))
	}
	if dm, ok := dc["DefaultCacheBehavior"].(map[string]any); ok {
		d.behaviors = append(d.behaviors, buildBehavior(st, d, dm, true))
	}
	return d
}

func buildBehavior(st *stack, d *distribution, m map[string]any, isDefault bool) *behavior {
	b := &behavior{isDefault: isDefault, pattern: "*"}
	if !isDefault {
		b.pattern = str(m["PathPattern"])
	}
	b.targetOrigin = str(m["TargetOriginId"])
	am := m["AllowedMethods"]
	if amm, ok := am.(map[string]any); ok { // API shape: {Quantity, Items, CachedMethods}
		b.allowedMethods = upper(strList(amm))
		b.cachedMethods = upper(strList(amm["CachedMethods"]))
	} else if am != nil {
		b.allowedMethods = upper(strList(am))
		b.cachedMethods = upper(strList(m["CachedMethods"]))
	} else {
		b.allowedMethods = []string{"GET", "HEAD"} // the CloudFormation default
		b.cachedMethods = []string{"GET", "HEAD"}
	}
	b.viewerProtocol = str(m["ViewerProtocolPolicy"])
	b.cache = st.cachePolicy(d, m["CachePolicyId"])
	b.orp = st.originRequestPolicy(d, m["OriginRequestPolicyId"])
	b.rhp = st.responseHeadersPolicy(d, m["ResponseHeadersPolicyId"])
	if fv, ok := m["ForwardedValues"].(map[string]any); ok {
		lf := &forwardedValues{}
		lf.queryString, _ = boolVal(fv["QueryString"])
		lf.queryKeys = strList(fv["QueryStringCacheKeys"])
		lf.headers = lower(strList(fv["Headers"]))
		if c, ok := fv["Cookies"].(map[string]any); ok {
			lf.cookieForward = str(c["Forward"])
		}
		b.legacy = lf
	}
	// TrustedKeyGroups: a list (CloudFormation) or {Enabled, Quantity, Items} (API).
	if tk, ok := m["TrustedKeyGroups"].(map[string]any); ok {
		if en, _ := boolVal(tk["Enabled"]); en {
			b.keyGroups = describeList(list(tk))
		}
	} else {
		b.keyGroups = describeList(list(m["TrustedKeyGroups"]))
	}
	if ts, ok := m["TrustedSigners"].(map[string]any); ok {
		en, _ := boolVal(ts["Enabled"])
		b.trustedSigners = en && len(list(ts)) > 0
	} else {
		b.trustedSigners = len(list(m["TrustedSigners"])) > 0
	}
	for _, fv := range list(m["FunctionAssociations"]) {
		fm, _ := fv.(map[string]any)
		if fm == nil {
			continue
		}
		f := function{eventType: str(fm["EventType"]), name: describe(fm["FunctionARN"])}
		if id, ok := refTarget(fm["FunctionARN"]); ok {
			if r, ok := st.resources[id]; ok && r.typ == "AWS::CloudFront::Function" {
				f.name = st.name + "/" + id
				f.code = flatten(r.props["FunctionCode"])
			}
		}
		b.functions = append(b.functions, f)
	}
	for _, lv := range list(m["LambdaFunctionAssociations"]) {
		lm, _ := lv.(map[string]any)
		if lm != nil {
			b.functions = append(b.functions, function{eventType: str(lm["EventType"]), name: "Lambda@Edge " + describe(lm["LambdaFunctionARN"])})
		}
	}
	return b
}

// resolve returns the resource a Ref/GetAtt points at, when it has type typ.
func (st *stack) resolve(v any, typ string) (resource, bool) {
	id, ok := refTarget(v)
	if !ok || st.resources == nil {
		return resource{}, false
	}
	r, ok := st.resources[id]
	if !ok || r.typ != typ {
		return resource{}, false
	}
	return r, true
}

func (st *stack) unresolved(d *distribution, kind string, v any) {
	d.notes = append(d.notes, Finding{
		Severity: SeverityInfo,
		ID:       "policy.unresolved",
		Resource: d.label,
		What:     fmt.Sprintf("%s %s is neither a managed policy nor defined in the input, so its contents are unknown and the checks that need them are skipped for the behaviors using it", kind, describe(v)),
		Fix:      fmt.Sprintf("Audit the synthesized template that defines it, or read it with aws cloudfront get-%s --id ID.", strings.ReplaceAll(strings.ToLower(kind), " ", "-")),
	})
}

func (st *stack) cachePolicy(d *distribution, v any) *cachePolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedCachePolicies[s]; ok {
			m.id, m.managed = s, true
			return &m
		}
		st.unresolved(d, "cache policy", v)
		return &cachePolicy{id: s, name: s, unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::CachePolicy")
	if !ok {
		st.unresolved(d, "cache policy", v)
		return &cachePolicy{id: describe(v), name: describe(v), unknown: true}
	}
	cfg, _ := r.props["CachePolicyConfig"].(map[string]any)
	p := &cachePolicy{id: r.id, name: str(cfg["Name"])}
	if p.name == "" {
		p.name = r.id
	}
	var ok1, ok2, ok3 bool
	p.minTTL, ok1 = num(cfg["MinTTL"])
	p.defTTL, ok2 = num(cfg["DefaultTTL"])
	p.maxTTL, ok3 = num(cfg["MaxTTL"])
	p.ttlUnknown = !(ok1 && ok2 && ok3)
	params, _ := cfg["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
	if hc, ok := params["HeadersConfig"].(map[string]any); ok {
		if str(hc["HeaderBehavior"]) == "whitelist" {
			p.keyHeaders = lower(strList(hc["Headers"]))
		}
	}
	if qc, ok := params["QueryStringsConfig"].(map[string]any); ok {
		p.queryBehavior = str(qc["QueryStringBehavior"])
		p.queryNames = strList(qc["QueryStrings"])
	}
	if cc, ok := params["CookiesConfig"].(map[string]any); ok {
		p.cookieBehavior = str(cc["CookieBehavior"])
		p.cookieNames = strList(cc["Cookies"])
	}
	return p
}

func (st *stack) originRequestPolicy(d *distribution, v any) *originRequestPolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedOriginRequestPolicies[s]; ok {
			m.id, m.managed = s, true
			return &m
		}
		st.unresolved(d, "origin request policy", v)
		return &originRequestPolicy{id: s, name: s, unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::OriginRequestPolicy")
	if !ok {
		st.unresolved(d, "origin request policy", v)
		return &originRequestPolicy{id: describe(v), name: describe(v), unknown: true}
	}
	cfg, _ := r.props["OriginRequestPolicyConfig"].(map[string]any)
	p := &originRequestPolicy{id: r.id, name: str(cfg["Name"])}
	if p.name == "" {
		p.name = r.id
	}
	if hc, ok := cfg["HeadersConfig"].(map[string]any); ok {
		p.headerBehavior = str(hc["HeaderBehavior"])
		p.headers = lower(strList(hc["Headers"]))
	}
	return p
}

func (st *stack) responseHeadersPolicy(d *distribution, v any) *responseHeadersPolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedResponseHeadersPolicies[s]; ok {
			m.id, m.managed = s, true
			return &m
		}
		st.unresolved(d, "response headers policy", v)
		return &responseHeadersPolicy{id: s, name: s, unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::ResponseHeadersPolicy")
	if !ok {
		st.unresolved(d, "response headers policy", v)
		return &responseHeadersPolicy{id: describe(v), name: describe(v), unknown: true}
	}
	cfg, _ := r.props["ResponseHeadersPolicyConfig"].(map[string]any)
	p := &responseHeadersPolicy{id: r.id, name: str(cfg["Name"])}
	if p.name == "" {
		p.name = r.id
	}
	if cc, ok := cfg["CorsConfig"].(map[string]any); ok {
		c := &corsConfig{}
		c.origins = strList(cc["AccessControlAllowOrigins"])
		c.methods = upper(strList(cc["AccessControlAllowMethods"]))
		c.headers = strList(cc["AccessControlAllowHeaders"])
		c.expose = strList(cc["AccessControlExposeHeaders"])
		c.credentials, _ = boolVal(cc["AccessControlAllowCredentials"])
		c.originOverride, _ = boolVal(cc["OriginOverride"])
		p.cors = c
	}
	return p
}

// bucketOf returns the bucket a DomainName value points at via GetAtt, and
// the attribute used.
func (st *stack) bucketOf(v any) (*bucket, string) {
	m, ok := v.(map[string]any)
	if !ok || st.resources == nil {
		return nil, ""
	}
	ga, ok := m["Fn::GetAtt"]
	if !ok {
		return nil, ""
	}
	var id, attr string
	switch g := ga.(type) {
	case []any:
		if len(g) == 2 {
			id, attr = str(g[0]), str(g[1])
		}
	case string:
		id, attr, _ = strings.Cut(g, ".")
	}
	r, ok := st.resources[id]
	if !ok || r.typ != "AWS::S3::Bucket" {
		return nil, ""
	}
	return st.buildBucket(r), attr
}

func (st *stack) bucketNamed(name string) *bucket {
	var ids []string
	for id := range st.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := st.resources[id]
		if r.typ == "AWS::S3::Bucket" && str(r.props["BucketName"]) == name {
			return st.buildBucket(r)
		}
	}
	return nil
}

func (st *stack) buildBucket(r resource) *bucket {
	b := &bucket{id: r.id, name: str(r.props["BucketName"])}
	if cc, ok := r.props["CorsConfiguration"].(map[string]any); ok {
		for _, rv := range list(cc["CorsRules"]) {
			rm, _ := rv.(map[string]any)
			if rm == nil {
				continue
			}
			b.hasCors = true
			b.cors = append(b.cors, corsRule{
				origins: strList(rm["AllowedOrigins"]),
				methods: upper(strList(rm["AllowedMethods"])),
				headers: strList(rm["AllowedHeaders"]),
			})
		}
	}
	if pab, ok := r.props["PublicAccessBlockConfiguration"].(map[string]any); ok {
		b.hasPAB = true
		b.pab = map[string]bool{}
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			v, _ := boolVal(pab[k])
			b.pab[k] = v
		}
	}
	var ids []string
	for id := range st.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := st.resources[id]
		if p.typ != "AWS::S3::BucketPolicy" {
			continue
		}
		target, ok := refTarget(p.props["Bucket"])
		if !ok || target != r.id {
			if s, isStr := p.props["Bucket"].(string); !isStr || b.name == "" || s != b.name {
				continue
			}
		}
		b.policyFound = true
		doc, _ := p.props["PolicyDocument"].(map[string]any)
		for _, sv := range list(doc["Statement"]) {
			if sm, ok := sv.(map[string]any); ok {
				b.statements = append(b.statements, sm)
			}
		}
	}
	return b
}

// --- JSON helpers ---

// list returns v as a list: a JSON array, or the Items of an API-style
// {Quantity, Items} object, or a one-element list for a lone value.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case map[string]any:
		if items, ok := x["Items"]; ok {
			return list(items)
		}
		if _, ok := x["Quantity"]; ok {
			return nil
		}
		return []any{x}
	default:
		return []any{x}
	}
}

func strList(v any) []string {
	var out []string
	for _, e := range list(v) {
		out = append(out, describe(e))
	}
	return out
}

func describeList(v []any) []string {
	var out []string
	for _, e := range v {
		out = append(out, describe(e))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// describe renders a value for a message: strings as they are, Ref and
// GetAtt as Ref(X) and X.Attr, other intrinsics as compact JSON.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	case map[string]any:
		if r, ok := x["Ref"].(string); ok {
			return "Ref(" + r + ")"
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			var parts []string
			for _, e := range list(j[1]) {
				parts = append(parts, describe(e))
			}
			return strings.Join(parts, str(j[0]))
		}
		if g, ok := x["Fn::GetAtt"]; ok {
			if l, ok := g.([]any); ok && len(l) == 2 {
				return str(l[0]) + "." + str(l[1])
			}
			if s, ok := g.(string); ok {
				return s
			}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// flatten joins the string parts of an Fn::Join (or Fn::Sub text) so that
// function code can be searched.
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, "")
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			return flatten(j[1])
		}
		if s, ok := x["Fn::Sub"]; ok {
			if l, ok := s.([]any); ok && len(l) > 0 {
				return flatten(l[0])
			}
			return flatten(s)
		}
	}
	return ""
}

func refTarget(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if r, ok := m["Ref"].(string); ok {
		return r, true
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) > 0 {
			return str(g[0]), true
		}
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id, true
	}
	return "", false
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	}
	return false
}

func boolVal(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		var f float64
		_, err := fmt.Sscan(x, &f)
		return f, err == nil
	}
	return 0, false
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func upper(l []string) []string {
	for i := range l {
		l[i] = strings.ToUpper(l[i])
	}
	return l
}

func lower(l []string) []string {
	for i := range l {
		l[i] = strings.ToLower(l[i])
	}
	return l
}
