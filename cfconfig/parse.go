package cfconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mediacdn/mediacdn/internal/readlimit"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Bounds on loading a cloud assembly (cdk.out), each far above a real one
// and far below what would hurt a machine: a hostile manifest can name one
// directory or template many times, or nest assemblies in a diamond, so
// every directory and file is read at most once and all reads share one
// byte budget.
const (
	// maxAssemblyDepth bounds the nesting of cloud assemblies (CDK stages).
	maxAssemblyDepth = 16
	// maxAssemblies bounds the cloud assembly directories walked.
	maxAssemblies = 500
	// maxTemplateFiles bounds the distinct template files read.
	maxTemplateFiles = 500
	// maxLoadBytes bounds the bytes of all manifests and templates one Load
	// of a directory reads together (each file is also held to its
	// readlimit limit). A CloudFormation template is at most 1 MB, so a
	// cdk.out of 60 stacks of that size still loads; the parsed model of
	// hostile input filling the budget is bounded by maxDistributions.
	maxLoadBytes = 64 << 20
	// maxModelItems bounds what one Load or Parse models from the lists in
	// its input: each cache behavior, origin, error response, function
	// association, header, CORS rule, key group reference or bucket policy
	// statement weighs 10, each string of a string list 1. Bytes alone do
	// not bound the model: "{}," in CacheBehaviors is a behavior of some
	// 300 bytes, and the doctor's checks of it 1 KB more, so the budget
	// holds the model near 300 MB. Even 200 distributions of 75 behaviors,
	// each with functions and a key group, model about 700,000.
	maxModelItems = 2_000_000
	// maxJSONValues bounds the values of one document, counted before it is
	// decoded: a decoded value takes 50 to 100 bytes, so 16 MiB of "0,"
	// would take about 1 GB while decoding. Real templates hold one value in
	// about 34 bytes: 30,000 in a 1 MB template (CloudFormation's largest),
	// 500,000 in 16 MiB.
	maxJSONValues = 1_000_000
	// maxDistributions bounds the distributions one Load or Parse returns:
	// a template of minimal distributions makes a model (and a doctor
	// report) about 25 times its size, 1.7 GB for 64 MiB.
	maxDistributions = 1000
)

// Load reads a CloudFormation template (JSON), a cdk.out directory (the
// stacks its manifest.json lists, following nested assemblies, plus nested
// stack templates; or every *.template.json when there is no manifest), or
// the JSON of aws cloudfront get-distribution-config / get-distribution. It
// returns every distribution found, in a stable order.
//
// A directory is read within bounds: each assembly directory and each
// template file (by real path) is read once however often manifests name
// it, nesting is at most 16 levels, at most 500 assemblies and 500 templates,
// and 64 MiB in all; what is modelled from them is bounded too (the max*
// constants above). Paths in its errors are escaped (internal/safetext):
// manifests name them.
func Load(path string) ([]*Distribution, error) {
	dists, err := load(path)
	if err != nil {
		return nil, escapedError{err}
	}
	return dists, nil
}

func load(path string) ([]*Distribution, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var dists []*Distribution
	if st.IsDir() {
		w := newWalk()
		if err := w.assembly(path, nil); err != nil {
			return nil, err
		}
		if len(w.files) == 0 {
			return nil, fmt.Errorf("%s: no manifest.json stack and no *.template.json file (run cdk synth first)", path)
		}
		items := newItemBudget()
		for _, f := range w.files {
			data, err := w.read(f, readlimit.TemplateSize)
			if err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(path, f)
			ds, err := parse(strings.TrimSuffix(filepath.ToSlash(rel), ".template.json"), data, items)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			dists = append(dists, ds...)
			if len(dists) > maxDistributions {
				return nil, fmt.Errorf("%s: the templates read so far declare more than %d CloudFront distributions (the limit of one load); audit the stacks one at a time (give one *.template.json file, not the directory)", f, maxDistributions)
			}
		}
	} else {
		data, err := readlimit.File(path, readlimit.TemplateSize)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		name = strings.TrimSuffix(name, ".template")
		dists, err = parse(name, data, newItemBudget())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(dists) == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNoDistribution)
	}
	return dists, nil
}

// escapedError shows its error's message escaped (safetext.Escape), for
// paths and names taken from manifests, and keeps it for errors.Is.
type escapedError struct{ err error }

func (e escapedError) Error() string { return safetext.Escape(e.err.Error()) }
func (e escapedError) Unwrap() error { return e.err }

// Parse reads one document (CloudFormation template JSON, or AWS CLI
// distribution JSON); name labels its resources in messages.
func Parse(name string, data []byte) ([]*Distribution, error) {
	dists, err := parse(name, data, newItemBudget())
	if err != nil {
		return nil, err
	}
	if len(dists) == 0 {
		return nil, ErrNoDistribution
	}
	return dists, nil
}

// walk lists the stack templates of a cloud assembly and reads its files
// within the bounds above. walked and listed hold real paths, so a
// directory or template named many times (a diamond of nested assemblies
// is exponential in its depth when followed path by path) is read once.
type walk struct {
	walked     map[string]bool // assembly directories
	listed     map[string]bool // template files
	files      []string        // templates in order, as the manifests name them
	assemblies int             // directories walked (manifests read or globbed)
	left       int64           // bytes of maxLoadBytes not yet read
}

func newWalk() *walk {
	return &walk{walked: map[string]bool{}, listed: map[string]bool{}, left: maxLoadBytes}
}

// realPath is the absolute, cleaned path with symbolic links resolved
// (when the file exists): the identity of a file or directory in a walk.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}

// read reads one file within its own limit and what is left of the byte
// budget.
func (w *walk) read(path string, limit int64) ([]byte, error) {
	budget := limit > w.left
	if budget {
		limit = w.left
	}
	data, err := readlimit.File(path, limit)
	if budget && errors.Is(err, readlimit.ErrTooLarge) {
		return nil, fmt.Errorf("%s: the manifests and templates read add up to more than %d MiB, the limit of one load (%w); audit the stacks one at a time (give one *.template.json file, not the directory)", path, maxLoadBytes>>20, readlimit.ErrTooLarge)
	}
	if err != nil {
		return nil, err
	}
	w.left -= int64(len(data))
	return data, nil
}

// add lists a template file unless it is listed already.
func (w *walk) add(dir, file string) error {
	real, err := realPath(file)
	if err != nil {
		return err
	}
	if w.listed[real] {
		return nil
	}
	if len(w.files) >= maxTemplateFiles {
		return fmt.Errorf("cloud assembly %s: more than %d template files (the limit of one load); audit the stacks one at a time (give one *.template.json file, not the directory)", dir, maxTemplateFiles)
	}
	w.listed[real] = true
	w.files = append(w.files, file)
	return nil
}

// assembly lists the stack templates of the cloud assembly in dir: from
// manifest.json (following nested assemblies of CDK stages), else every
// *.template.json in the directory. chain holds the assemblies being
// walked (real paths), to report a manifest that leads back to one of them.
func (w *walk) assembly(dir string, chain []string) error {
	real, err := realPath(dir)
	if err != nil {
		return err
	}
	for _, v := range chain {
		if v == real {
			return fmt.Errorf("cloud assembly %s is nested in itself (manifest.json chain %s -> %s): the cdk.out is corrupt, run cdk synth again", dir, strings.Join(chain, " -> "), real)
		}
	}
	if w.walked[real] {
		return nil // reached by another path: its templates are listed
	}
	if len(chain) >= maxAssemblyDepth {
		return fmt.Errorf("cloud assembly %s: nested assemblies deeper than %d levels", dir, maxAssemblyDepth)
	}
	if w.assemblies >= maxAssemblies {
		return fmt.Errorf("cloud assembly %s: more than %d nested assemblies (the limit of one load); audit the stacks one at a time (give one *.template.json file, not the directory)", dir, maxAssemblies)
	}
	w.walked[real] = true
	w.assemblies++
	chain = append(chain, real)
	mf := filepath.Join(dir, "manifest.json")
	data, err := w.read(mf, readlimit.ManifestSize)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, f := range files {
			if err := w.add(dir, f); err != nil {
				return err
			}
		}
		return nil
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
		return fmt.Errorf("%s: %w", mf, err)
	}
	var names []string
	for n := range m.Artifacts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := m.Artifacts[n]
		switch a.Type {
		case "aws:cloudformation:stack":
			if a.Properties.TemplateFile != "" {
				if err := w.add(dir, filepath.Join(dir, a.Properties.TemplateFile)); err != nil {
					return err
				}
			}
		case "cdk:cloud-assembly":
			if a.Properties.DirectoryName != "" {
				if err := w.assembly(filepath.Join(dir, a.Properties.DirectoryName), chain); err != nil {
					return err
				}
			}
		}
	}
	// Nested stacks are separate files the manifest does not list.
	nested, _ := filepath.Glob(filepath.Join(dir, "*.nested.template.json"))
	sort.Strings(nested)
	for _, f := range nested {
		if err := w.add(dir, f); err != nil {
			return err
		}
	}
	return nil
}

// jsonValues counts the values of a JSON document, as the '[', ',' and ':'
// outside strings that start them (plus the first), stopping past max.
func jsonValues(data []byte, max int) int {
	n, inString, escaped := 1, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == ',' || c == ':':
			n++
			if n > max {
				return n
			}
		}
	}
	return n
}

// itemBudget is what is left of maxModelItems for one Load or Parse.
type itemBudget struct {
	left int
	over bool
}

func newItemBudget() *itemBudget { return &itemBudget{left: maxModelItems} }

// take reserves n items of weight each; false (and nothing modelled) when
// the budget is spent.
func (b *itemBudget) take(n, weight int) bool {
	if b.over || n > b.left/weight {
		b.over = true
		return false
	}
	b.left -= n * weight
	return true
}

// objects is list(v) for a list whose elements become objects of the
// model, taken from the item budget (nil once it is spent).
func (st *stack) objects(v any) []any {
	l := list(v)
	if !st.items.take(len(l), 10) {
		return nil
	}
	return l
}

// strList is StrList(v) taken from the item budget.
func (st *stack) strList(v any) []string {
	if !st.items.take(len(list(v)), 1) {
		return nil
	}
	return StrList(v)
}

func parse(name string, data []byte, items *itemBudget) ([]*Distribution, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("not JSON: only JSON is read (a YAML template can be converted with cdk synth --json, or cfn-flip)")
	}
	if n := jsonValues(trimmed, maxJSONValues); n > maxJSONValues {
		return nil, fmt.Errorf("more than %d JSON values (the limit of one document; a real template holds one in about 34 bytes, 30,000 in 1 MB)", maxJSONValues)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var dists []*Distribution
	switch {
	case doc["Resources"] != nil:
		st := &stack{name: name, resources: map[string]resource{}, items: items}
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
		if len(ids) > maxDistributions {
			return nil, fmt.Errorf("%d CloudFront distributions: more than %d (the limit of one document), far more than a deployable stack holds", len(ids), maxDistributions)
		}
		sort.Strings(ids)
		for _, id := range ids {
			dc, _ := st.resources[id].props["DistributionConfig"].(map[string]any)
			d := buildDistribution(st, name+"/"+id, dc)
			d.Empty = dc == nil
			dists = append(dists, d)
		}
	case doc["DistributionConfig"] != nil:
		dc, _ := doc["DistributionConfig"].(map[string]any)
		label := "DistributionConfig"
		if e, ok := doc["ETag"].(string); ok {
			label += " (ETag " + e + ")"
		}
		d := buildDistribution(&stack{name: name, items: items}, label, dc)
		d.Empty = len(dc) == 0
		dists = append(dists, d)
	case doc["Distribution"] != nil:
		d, _ := doc["Distribution"].(map[string]any)
		dc, _ := d["DistributionConfig"].(map[string]any)
		if dc == nil {
			return nil, fmt.Errorf("Distribution has no DistributionConfig")
		}
		label := "distribution"
		if id, ok := d["Id"].(string); ok {
			label += " " + id
		}
		dists = append(dists, buildDistribution(&stack{name: name, items: items}, label, dc))
	default:
		return nil, fmt.Errorf("neither a CloudFormation template (Resources) nor distribution JSON (DistributionConfig, Distribution)")
	}
	if items.over {
		return nil, fmt.Errorf("more behaviors, origins, headers and list entries than one load models (%d items, behaviors and other objects weighing 10, strings 1), far more than deployable stacks hold; audit the stacks one at a time (give one *.template.json file, not the directory)", maxModelItems)
	}
	return dists, nil
}

type stack struct {
	name      string
	resources map[string]resource
	keys      map[string]*PublicKey // by logical id, shared by key groups
	items     *itemBudget
	// built holds the policies, key groups, buckets and functions modelled,
	// by logical id: one referenced by every behavior is built once, not
	// once per reference (a big policy times many behaviors).
	built map[string]any
}

// once returns the model of resource id, building it on first use.
func once[T any](st *stack, id string, build func() *T) *T {
	if v, ok := st.built[id].(*T); ok {
		return v
	}
	if st.built == nil {
		st.built = map[string]any{}
	}
	v := build()
	st.built[id] = v
	return v
}

type resource struct {
	id    string
	typ   string
	props map[string]any
}

func buildDistribution(st *stack, label string, dc map[string]any) *Distribution {
	d := &Distribution{Label: label, Stack: st.name, Origins: map[string]*Origin{}}
	d.Aliases = st.strList(dc["Aliases"])
	d.DefaultRootObject = str(dc["DefaultRootObject"])
	if v, ok := dc["WebACLId"]; ok && !isEmpty(v) {
		d.WebACLID = Describe(v)
	}
	if r, ok := dc["Restrictions"].(map[string]any); ok {
		if g, ok := r["GeoRestriction"].(map[string]any); ok {
			if t := str(g["RestrictionType"]); t != "" && t != "none" {
				d.GeoRestriction = t
			}
		}
	}
	d.OriginGroups = len(list(dc["OriginGroups"]))
	for _, ov := range st.objects(dc["Origins"]) {
		om, _ := ov.(map[string]any)
		if om == nil {
			continue
		}
		o := &Origin{ID: str(om["Id"]), OriginPath: str(om["OriginPath"])}
		o.Domain = Describe(om["DomainName"])
		_, hasS3 := om["S3OriginConfig"]
		_, hasCustom := om["CustomOriginConfig"]
		if b, attr := st.bucketOf(om["DomainName"]); b != nil {
			o.Bucket = b
			o.BucketLabel = st.name + "/" + b.ID
			o.Website = attr == "WebsiteURL"
			o.S3 = !o.Website
		} else if s, ok := om["DomainName"].(string); ok {
			low := strings.ToLower(s)
			o.Website = strings.Contains(low, ".s3-website")
			i := strings.Index(low, ".s3.")
			if i < 0 {
				i = strings.Index(low, ".s3-")
			}
			o.S3 = !o.Website && (i > 0 && strings.Contains(low, "amazonaws.com") || hasS3 && !hasCustom)
			if o.S3 && i > 0 {
				name := s[:i]
				o.Bucket = st.bucketNamed(name)
				if o.Bucket != nil {
					o.BucketLabel = st.name + "/" + o.Bucket.ID
				} else {
					o.BucketLabel = "bucket " + name
				}
			}
		} else {
			o.S3 = hasS3 && !hasCustom
		}
		o.Custom = !o.S3
		if v, ok := om["OriginAccessControlId"]; ok && !isEmpty(v) {
			o.HasOAC = true
		}
		if s3c, ok := om["S3OriginConfig"].(map[string]any); ok {
			if v, ok := s3c["OriginAccessIdentity"]; ok && !isEmpty(v) {
				o.OAI = Describe(v)
			}
		}
		for _, hv := range st.objects(om["OriginCustomHeaders"]) {
			if hm, ok := hv.(map[string]any); ok {
				o.CustomHeaders = append(o.CustomHeaders, Header{Name: Describe(hm["HeaderName"]), Value: Describe(hm["HeaderValue"]), Override: true})
			}
		}
		if o.ID != "" {
			d.Origins[o.ID] = o
		}
	}
	for _, bv := range st.objects(dc["CacheBehaviors"]) {
		bm, _ := bv.(map[string]any)
		if bm == nil {
			continue
		}
		d.Behaviors = append(d.Behaviors, buildBehavior(st, d, bm, false))
	}
	if dm, ok := dc["DefaultCacheBehavior"].(map[string]any); ok {
		d.Behaviors = append(d.Behaviors, buildBehavior(st, d, dm, true))
	}
	for _, ev := range st.objects(dc["CustomErrorResponses"]) {
		em, _ := ev.(map[string]any)
		if em == nil {
			continue
		}
		var e ErrorResponse
		if n, ok := num(em["ErrorCode"]); ok {
			e.ErrorCode = int(n)
		}
		e.CachingMinTTL, e.HasCachingMinTTL = num(em["ErrorCachingMinTTL"])
		if n, ok := num(em["ResponseCode"]); ok {
			e.ResponseCode = int(n)
		}
		e.ResponsePagePath = str(em["ResponsePagePath"])
		d.ErrorResponses = append(d.ErrorResponses, e)
	}
	return d
}

func buildBehavior(st *stack, d *Distribution, m map[string]any, isDefault bool) *Behavior {
	b := &Behavior{IsDefault: isDefault, PathPattern: "*"}
	if !isDefault {
		b.PathPattern = str(m["PathPattern"])
	}
	b.TargetOrigin = str(m["TargetOriginId"])
	am := m["AllowedMethods"]
	if amm, ok := am.(map[string]any); ok { // API shape: {Quantity, Items, CachedMethods}
		b.AllowedMethods = upper(st.strList(amm))
		b.CachedMethods = upper(st.strList(amm["CachedMethods"]))
	} else if am != nil {
		b.AllowedMethods = upper(st.strList(am))
		b.CachedMethods = upper(st.strList(m["CachedMethods"]))
	} else {
		b.AllowedMethods = []string{"GET", "HEAD"} // the CloudFormation default
		b.CachedMethods = []string{"GET", "HEAD"}
	}
	if len(b.CachedMethods) == 0 {
		b.CachedMethods = []string{"GET", "HEAD"}
	}
	b.ViewerProtocol = str(m["ViewerProtocolPolicy"])
	if v, ok := m["FieldLevelEncryptionId"]; ok && !isEmpty(v) {
		b.FieldLevelEncryptionID = Describe(v)
	}
	b.Compress, _ = boolVal(m["Compress"])
	b.CachePolicy = st.cachePolicy(d, m["CachePolicyId"])
	b.OriginRequestPolicy = st.originRequestPolicy(d, m["OriginRequestPolicyId"])
	b.ResponseHeadersPolicy = st.responseHeadersPolicy(d, m["ResponseHeadersPolicyId"])
	if fv, ok := m["ForwardedValues"].(map[string]any); ok {
		lf := &ForwardedValues{DefaultTTL: 86400, MaxTTL: 31536000} // CloudFormation defaults
		lf.QueryString, _ = boolVal(fv["QueryString"])
		lf.QueryKeys = st.strList(fv["QueryStringCacheKeys"])
		lf.Headers = lower(st.strList(fv["Headers"]))
		if c, ok := fv["Cookies"].(map[string]any); ok {
			lf.CookieForward = str(c["Forward"])
			lf.CookieNames = st.strList(c["WhitelistedNames"])
		}
		if v, ok := num(m["MinTTL"]); ok {
			lf.MinTTL = v
		}
		if v, ok := num(m["DefaultTTL"]); ok {
			lf.DefaultTTL = v
		}
		if v, ok := num(m["MaxTTL"]); ok {
			lf.MaxTTL = v
		}
		b.Legacy = lf
	}
	// TrustedKeyGroups: a list (CloudFormation) or {Enabled, Quantity, Items} (API).
	var groups []any
	if tk, ok := m["TrustedKeyGroups"].(map[string]any); ok {
		if en, _ := boolVal(tk["Enabled"]); en {
			groups = st.objects(tk)
		}
	} else {
		groups = st.objects(m["TrustedKeyGroups"])
	}
	for _, g := range groups {
		b.TrustedKeyGroups = append(b.TrustedKeyGroups, Describe(g))
		if kg := st.keyGroup(g); kg != nil {
			b.KeyGroups = append(b.KeyGroups, kg)
		}
	}
	if ts, ok := m["TrustedSigners"].(map[string]any); ok {
		en, _ := boolVal(ts["Enabled"])
		b.TrustedSigners = en && len(list(ts)) > 0
	} else {
		b.TrustedSigners = len(list(m["TrustedSigners"])) > 0
	}
	for _, fv := range st.objects(m["FunctionAssociations"]) {
		fm, _ := fv.(map[string]any)
		if fm == nil {
			continue
		}
		f := Function{EventType: str(fm["EventType"]), Name: Describe(fm["FunctionARN"])}
		if id, ok := refTarget(fm["FunctionARN"]); ok {
			if r, ok := st.resources[id]; ok && r.typ == "AWS::CloudFront::Function" {
				f = *once(st, id, func() *Function {
					f := &Function{Name: st.name + "/" + id, Code: flatten(r.props["FunctionCode"])}
					if cfg, ok := r.props["FunctionConfig"].(map[string]any); ok {
						f.Runtime = str(cfg["Runtime"])
						for _, kv := range st.objects(cfg["KeyValueStoreAssociations"]) {
							if km, ok := kv.(map[string]any); ok {
								f.KeyValueStores = append(f.KeyValueStores, Describe(km["KeyValueStoreARN"]))
							}
						}
					}
					return f
				})
				f.EventType = str(fm["EventType"])
			}
		}
		b.Functions = append(b.Functions, f)
	}
	for _, lv := range st.objects(m["LambdaFunctionAssociations"]) {
		lm, _ := lv.(map[string]any)
		if lm != nil {
			b.Functions = append(b.Functions, Function{EventType: str(lm["EventType"]), Name: "Lambda@Edge " + Describe(lm["LambdaFunctionARN"]), LambdaEdge: true})
		}
	}
	return b
}

// keyGroup resolves a key group reference to the group and its public keys,
// when they are defined in the template.
func (st *stack) keyGroup(v any) *KeyGroup {
	r, ok := st.resolve(v, "AWS::CloudFront::KeyGroup")
	if !ok {
		return nil
	}
	return once(st, r.id, func() *KeyGroup {
		cfg, _ := r.props["KeyGroupConfig"].(map[string]any)
		g := &KeyGroup{ID: r.id, Name: Describe(cfg["Name"])}
		for _, item := range st.objects(cfg["Items"]) {
			kr, ok := st.resolve(item, "AWS::CloudFront::PublicKey")
			if !ok {
				continue
			}
			kc, _ := kr.props["PublicKeyConfig"].(map[string]any)
			g.PublicKeys = append(g.PublicKeys, st.publicKey(kr.id, kc))
		}
		return g
	})
}

func (st *stack) publicKey(id string, kc map[string]any) *PublicKey {
	if st.keys == nil {
		st.keys = map[string]*PublicKey{}
	}
	if k, ok := st.keys[id]; ok {
		return k
	}
	k := &PublicKey{LogicalID: id, Name: Describe(kc["Name"]), PEM: flatten(kc["EncodedKey"])}
	st.keys[id] = k
	return k
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

func (st *stack) unresolved(d *Distribution, kind string, v any) {
	d.Unresolved = append(d.Unresolved, Unresolved{Kind: kind, Ref: Describe(v)})
}

func (st *stack) cachePolicy(d *Distribution, v any) *CachePolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedCachePolicies[s]; ok {
			m.ID, m.Managed = s, true
			return &m
		}
		st.unresolved(d, "cache policy", v)
		return &CachePolicy{ID: s, Name: s, Unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::CachePolicy")
	if !ok {
		st.unresolved(d, "cache policy", v)
		return &CachePolicy{ID: Describe(v), Name: Describe(v), Unknown: true}
	}
	return once(st, r.id, func() *CachePolicy {
		cfg, _ := r.props["CachePolicyConfig"].(map[string]any)
		p := &CachePolicy{ID: r.id, Name: str(cfg["Name"])}
		if p.Name == "" {
			p.Name = r.id
		}
		var ok1, ok2, ok3 bool
		p.MinTTL, ok1 = num(cfg["MinTTL"])
		p.DefaultTTL, ok2 = num(cfg["DefaultTTL"])
		p.MaxTTL, ok3 = num(cfg["MaxTTL"])
		p.TTLUnknown = !(ok1 && ok2 && ok3)
		params, _ := cfg["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
		if hc, ok := params["HeadersConfig"].(map[string]any); ok {
			if str(hc["HeaderBehavior"]) == "whitelist" {
				p.Headers = lower(st.strList(hc["Headers"]))
			}
		}
		if qc, ok := params["QueryStringsConfig"].(map[string]any); ok {
			p.QueryStringBehavior = str(qc["QueryStringBehavior"])
			p.QueryStrings = st.strList(qc["QueryStrings"])
		}
		if cc, ok := params["CookiesConfig"].(map[string]any); ok {
			p.CookieBehavior = str(cc["CookieBehavior"])
			p.Cookies = st.strList(cc["Cookies"])
		}
		p.EnableGzip, _ = boolVal(params["EnableAcceptEncodingGzip"])
		p.EnableBrotli, _ = boolVal(params["EnableAcceptEncodingBrotli"])
		return p
	})
}

func (st *stack) originRequestPolicy(d *Distribution, v any) *OriginRequestPolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedOriginRequestPolicies[s]; ok {
			m.ID, m.Managed = s, true
			return &m
		}
		st.unresolved(d, "origin request policy", v)
		return &OriginRequestPolicy{ID: s, Name: s, Unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::OriginRequestPolicy")
	if !ok {
		st.unresolved(d, "origin request policy", v)
		return &OriginRequestPolicy{ID: Describe(v), Name: Describe(v), Unknown: true}
	}
	return once(st, r.id, func() *OriginRequestPolicy {
		cfg, _ := r.props["OriginRequestPolicyConfig"].(map[string]any)
		p := &OriginRequestPolicy{ID: r.id, Name: str(cfg["Name"])}
		if p.Name == "" {
			p.Name = r.id
		}
		if hc, ok := cfg["HeadersConfig"].(map[string]any); ok {
			p.HeaderBehavior = str(hc["HeaderBehavior"])
			p.Headers = lower(st.strList(hc["Headers"]))
		}
		if qc, ok := cfg["QueryStringsConfig"].(map[string]any); ok {
			p.QueryStringBehavior = str(qc["QueryStringBehavior"])
			p.QueryStrings = st.strList(qc["QueryStrings"])
		}
		if cc, ok := cfg["CookiesConfig"].(map[string]any); ok {
			p.CookieBehavior = str(cc["CookieBehavior"])
			p.Cookies = st.strList(cc["Cookies"])
		}
		return p
	})
}

func (st *stack) responseHeadersPolicy(d *Distribution, v any) *ResponseHeadersPolicy {
	if isEmpty(v) {
		return nil
	}
	if s, ok := v.(string); ok {
		if m, ok := managedResponseHeadersPolicies[s]; ok {
			m.ID, m.Managed = s, true
			m.CORS = copyCORS(m.CORS)
			m.SecurityHeaders = append([]Header(nil), m.SecurityHeaders...)
			return &m
		}
		st.unresolved(d, "response headers policy", v)
		return &ResponseHeadersPolicy{ID: s, Name: s, Unknown: true}
	}
	r, ok := st.resolve(v, "AWS::CloudFront::ResponseHeadersPolicy")
	if !ok {
		st.unresolved(d, "response headers policy", v)
		return &ResponseHeadersPolicy{ID: Describe(v), Name: Describe(v), Unknown: true}
	}
	return once(st, r.id, func() *ResponseHeadersPolicy {
		cfg, _ := r.props["ResponseHeadersPolicyConfig"].(map[string]any)
		p := &ResponseHeadersPolicy{ID: r.id, Name: str(cfg["Name"])}
		if p.Name == "" {
			p.Name = r.id
		}
		if cc, ok := cfg["CorsConfig"].(map[string]any); ok {
			c := &CORSConfig{}
			c.AllowOrigins = st.strList(cc["AccessControlAllowOrigins"])
			c.AllowMethods = upper(st.strList(cc["AccessControlAllowMethods"]))
			c.AllowHeaders = st.strList(cc["AccessControlAllowHeaders"])
			c.ExposeHeaders = st.strList(cc["AccessControlExposeHeaders"])
			c.AllowCredentials, _ = boolVal(cc["AccessControlAllowCredentials"])
			c.OriginOverride, _ = boolVal(cc["OriginOverride"])
			if n, ok := num(cc["AccessControlMaxAgeSec"]); ok {
				c.MaxAgeSec, c.HasMaxAge = int(n), true
			}
			p.CORS = c
		}
		if sc, ok := cfg["SecurityHeadersConfig"].(map[string]any); ok {
			p.SecurityHeaders = securityHeaders(sc)
		}
		if ch, ok := cfg["CustomHeadersConfig"].(map[string]any); ok {
			for _, hv := range st.objects(ch) {
				if hm, ok := hv.(map[string]any); ok {
					o, _ := boolVal(hm["Override"])
					p.CustomHeaders = append(p.CustomHeaders, Header{Name: Describe(hm["Header"]), Value: Describe(hm["Value"]), Override: o})
				}
			}
		}
		if rh, ok := cfg["RemoveHeadersConfig"].(map[string]any); ok {
			for _, hv := range st.objects(rh) {
				if hm, ok := hv.(map[string]any); ok {
					p.RemoveHeaders = append(p.RemoveHeaders, Describe(hm["Header"]))
				}
			}
		}
		if stc, ok := cfg["ServerTimingHeadersConfig"].(map[string]any); ok {
			p.ServerTiming, _ = boolVal(stc["Enabled"])
		}
		return p
	})
}

// securityHeaders renders a SecurityHeadersConfig into the headers it sets
// (API_ResponseHeadersPolicySecurityHeadersConfig).
func securityHeaders(sc map[string]any) []Header {
	var out []Header
	get := func(k string) (map[string]any, bool) {
		m, ok := sc[k].(map[string]any)
		return m, ok
	}
	override := func(m map[string]any) bool { o, _ := boolVal(m["Override"]); return o }
	if m, ok := get("ContentSecurityPolicy"); ok {
		out = append(out, Header{"Content-Security-Policy", str(m["ContentSecurityPolicy"]), override(m)})
	}
	if m, ok := get("ContentTypeOptions"); ok {
		out = append(out, Header{"X-Content-Type-Options", "nosniff", override(m)})
	}
	if m, ok := get("FrameOptions"); ok {
		out = append(out, Header{"X-Frame-Options", str(m["FrameOption"]), override(m)})
	}
	if m, ok := get("ReferrerPolicy"); ok {
		out = append(out, Header{"Referrer-Policy", str(m["ReferrerPolicy"]), override(m)})
	}
	if m, ok := get("StrictTransportSecurity"); ok {
		age, _ := num(m["AccessControlMaxAgeSec"])
		v := fmt.Sprintf("max-age=%d", int64(age))
		if sub, _ := boolVal(m["IncludeSubdomains"]); sub {
			v += "; includeSubDomains"
		}
		if pre, _ := boolVal(m["Preload"]); pre {
			v += "; preload"
		}
		out = append(out, Header{"Strict-Transport-Security", v, override(m)})
	}
	if m, ok := get("XSSProtection"); ok {
		v := "0"
		if p, _ := boolVal(m["Protection"]); p {
			v = "1"
			if mb, _ := boolVal(m["ModeBlock"]); mb {
				v += "; mode=block"
			} else if u := str(m["ReportUri"]); u != "" {
				v += "; report=" + u
			}
		}
		out = append(out, Header{"X-XSS-Protection", v, override(m)})
	}
	return out
}

// bucketOf returns the bucket a DomainName value points at via GetAtt, and
// the attribute used.
func (st *stack) bucketOf(v any) (*Bucket, string) {
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

func (st *stack) bucketNamed(name string) *Bucket {
	for _, id := range st.sortedIDs() {
		r := st.resources[id]
		if r.typ == "AWS::S3::Bucket" && str(r.props["BucketName"]) == name {
			return st.buildBucket(r)
		}
	}
	return nil
}

func (st *stack) sortedIDs() []string {
	var ids []string
	for id := range st.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (st *stack) buildBucket(r resource) *Bucket {
	return once(st, r.id, func() *Bucket {
		b := &Bucket{ID: r.id, Name: str(r.props["BucketName"])}
		if cc, ok := r.props["CorsConfiguration"].(map[string]any); ok {
			for _, rv := range st.objects(cc["CorsRules"]) {
				rm, _ := rv.(map[string]any)
				if rm == nil {
					continue
				}
				b.HasCORS = true
				rule := CORSRule{
					AllowedOrigins: st.strList(rm["AllowedOrigins"]),
					AllowedMethods: upper(st.strList(rm["AllowedMethods"])),
					AllowedHeaders: st.strList(rm["AllowedHeaders"]),
					ExposeHeaders:  st.strList(rm["ExposedHeaders"]),
				}
				if n, ok := num(rm["MaxAge"]); ok {
					rule.MaxAgeSeconds = int(n)
				}
				b.CORS = append(b.CORS, rule)
			}
		}
		if pab, ok := r.props["PublicAccessBlockConfiguration"].(map[string]any); ok {
			b.HasPublicAccessBlock = true
			b.PublicAccessBlock = map[string]bool{}
			for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				v, _ := boolVal(pab[k])
				b.PublicAccessBlock[k] = v
			}
		}
		for _, id := range st.sortedIDs() {
			p := st.resources[id]
			if p.typ != "AWS::S3::BucketPolicy" {
				continue
			}
			target, ok := refTarget(p.props["Bucket"])
			if !ok || target != r.id {
				if s, isStr := p.props["Bucket"].(string); !isStr || b.Name == "" || s != b.Name {
					continue
				}
			}
			b.PolicyFound = true
			doc, _ := p.props["PolicyDocument"].(map[string]any)
			for _, sv := range st.objects(doc["Statement"]) {
				if sm, ok := sv.(map[string]any); ok {
					b.PolicyStatements = append(b.PolicyStatements, sm)
				}
			}
		}
		return b
	})
}
