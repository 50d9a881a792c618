package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Config is the stack's configuration, read from CDK context (cdk.json or
// `cdk synth -c key=value`). Every key is documented in the README.
type Config struct {
	StackName string // stackName; default "MediaCdn"
	Account   string // account; default: environment-agnostic
	Region    string // region; default: environment-agnostic

	AllowedOrigins   []string // allowedOrigins (required)
	AllowCredentials bool     // allowCredentials

	ExistingBucketName   string // existingBucketName
	ExistingBucketRegion string // existingBucketRegion; default: the stack's region

	ImageExtensions    []string           // imageExtensions
	PlaylistExtensions []string           // playlistExtensions
	SegmentExtensions  []string           // segmentExtensions
	ImageTtl           *mediacdn.CacheTtl // imageTtl {"min","default","max"} seconds
	SegmentTtl         *mediacdn.CacheTtl // segmentTtl
	PlaylistTtl        *mediacdn.CacheTtl // playlistTtl

	DomainNames            []string // domainNames
	CertificateArn         string   // certificateArn
	MinimumProtocolVersion string   // minimumProtocolVersion, e.g. TLSv1.2_2021
	PriceClass             string   // priceClass: PriceClass_100 | PriceClass_200 | PriceClass_All
	HttpVersion            string   // httpVersion: http1.1 | http2 | http2and3
	Ipv6                   bool     // ipv6; default true
	AccessLogging          bool     // accessLogging
	AccessLogRetentionDays int      // accessLogRetentionDays, 1 to 36500; 0 = not set (the construct's 90)
	WebAclArn              string   // webAclArn
	GeoAllowList           []string // geoAllowList
	GeoDenyList            []string // geoDenyList
	OriginShieldRegion     string   // originShieldRegion

	PublicKeyFiles []string // publicKeyFiles: PEM public keys, paths relative to the app directory
	PublicPaths    []string // publicPaths: path patterns served unsigned

	// cachePolicyIds and responseHeadersPolicyId: existing policies shared
	// with other stacks (stacks/shared.go).
	CachePolicyIds          map[string]string
	ResponseHeadersPolicyId string
}

// contextKeys lists the keys the stack reads; any other plain key is
// reported as a probable typo.
var contextKeys = []string{
	"stackName", "account", "region",
	"allowedOrigins", "allowCredentials", "existingBucketName", "existingBucketRegion",
	"imageExtensions", "playlistExtensions", "segmentExtensions",
	"imageTtl", "segmentTtl", "playlistTtl",
	"domainNames", "certificateArn", "minimumProtocolVersion", "priceClass", "httpVersion", "ipv6",
	"accessLogging", "accessLogRetentionDays", "webAclArn", "geoAllowList", "geoDenyList", "originShieldRegion",
	"publicKeyFiles", "publicPaths", cachePolicyIdsKey, responseHeadersPolicyIdKey,
}

// ParseContext turns raw context values into a Config. Values may be JSON
// values (from cdk.json) or strings (from -c key=value on the command line).
// The error (a *ConfigError) lists every bad value, each naming the context
// key and what to write instead; the Config returned with it holds every
// value that was good, and the default for each that was not.
// LoadConfig also runs the construct's checks.
func ParseContext(ctx map[string]any) (Config, error) {
	c, r := parseContext(ctx)
	if len(r.errs) > 0 {
		return c, &ConfigError{Problems: r.errs}
	}
	return c, nil
}

func parseContext(ctx map[string]any) (Config, *contextReader) {
	r := &contextReader{ctx: ctx, failed: map[string]bool{}}
	keys := make([]string, 0, len(ctx))
	for key := range ctx {
		keys = append(keys, key)
	}
	sort.Strings(keys) // one report order for one input
	for _, key := range keys {
		r.checkKnown(key)
	}
	c := Config{
		StackName:              r.str("stackName", "MediaCdn"),
		Account:                r.str("account", ""),
		Region:                 r.str("region", ""),
		AllowedOrigins:         r.list("allowedOrigins"),
		AllowCredentials:       r.boolean("allowCredentials", false),
		ExistingBucketName:     r.str("existingBucketName", ""),
		ExistingBucketRegion:   r.str("existingBucketRegion", ""),
		ImageExtensions:        r.list("imageExtensions"),
		PlaylistExtensions:     r.list("playlistExtensions"),
		SegmentExtensions:      r.list("segmentExtensions"),
		ImageTtl:               r.ttl("imageTtl"),
		SegmentTtl:             r.ttl("segmentTtl"),
		PlaylistTtl:            r.ttl("playlistTtl"),
		DomainNames:            r.list("domainNames"),
		CertificateArn:         r.str("certificateArn", ""),
		MinimumProtocolVersion: r.str("minimumProtocolVersion", ""),
		PriceClass:             r.str("priceClass", ""),
		HttpVersion:            r.str("httpVersion", ""),
		Ipv6:                   r.boolean("ipv6", true),
		AccessLogging:          r.boolean("accessLogging", false),
		AccessLogRetentionDays: int(r.integer("accessLogRetentionDays", "days", 1, maxRetentionDays)),
		WebAclArn:              r.str("webAclArn", ""),
		GeoAllowList:           r.list("geoAllowList"),
		GeoDenyList:            r.list("geoDenyList"),
		OriginShieldRegion:     r.str("originShieldRegion", ""),
		PublicKeyFiles:         r.list("publicKeyFiles"),
		PublicPaths:            r.list("publicPaths"),
	}
	c.CachePolicyIds = r.stringMap(cachePolicyIdsKey)
	c.ResponseHeadersPolicyId = r.str(responseHeadersPolicyIdKey, "")
	r.checkEnvironment(&c)
	return c, r
}

// maxRetentionDays bounds accessLogRetentionDays at 100 years: S3 counts
// lifecycle days as a whole number, and the construct holds the retention as
// a time.Duration, which ends at 292 years.
const maxRetentionDays = 36500

// stackNamePattern is CloudFormation's (and aws-cdk-lib's) rule for stack
// names; CloudFormation allows 128 characters.
var (
	stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
)

// checkEnvironment checks the values aws-cdk-lib validates itself, which
// would otherwise end in a JavaScript error and a Go panic (stackName), or a
// failure at synth time with no key named (region, account).
func (r *contextReader) checkEnvironment(c *Config) {
	switch {
	case r.failed["stackName"]:
	case c.StackName == "":
		r.fail("stackName", "is empty: give a CloudFormation stack name such as MediaCdn")
	case len(c.StackName) > 128:
		r.fail("stackName", "is %d characters long: CloudFormation stack names have at most 128", len(c.StackName))
	case !stackNamePattern.MatchString(c.StackName):
		r.fail("stackName", "%s is not a CloudFormation stack name: start with a letter, then letters, digits and hyphens only (e.g. MediaCdn-dev)", safetext.Quote(c.StackName, 64))
	}
	if c.Account != "" && !accountPattern.MatchString(c.Account) {
		r.fail("account", "%s is not an AWS account id: give the 12 digits (aws sts get-caller-identity shows it), or leave it out to deploy to the CLI's account", safetext.Quote(c.Account, 64))
	}
	if c.Region != "" && !mediacdn.IsRegionName(c.Region) {
		r.fail("region", "%s is not an AWS region name: give a region code in lower case such as us-east-1 or ap-northeast-2, or leave it out", safetext.Quote(c.Region, 64))
	}
}

type contextReader struct {
	ctx    map[string]any
	errs   []string
	failed map[string]bool // keys with a problem, so later layers do not report them again
}

func (r *contextReader) fail(key, format string, args ...any) {
	r.failed[key] = true
	r.errs = append(r.errs, fmt.Sprintf("context %s ", safetext.Quote(key, 64))+fmt.Sprintf(format, args...))
}

// checkKnown flags keys that look like ours but are not (a typo would
// otherwise be silently ignored). CDK's own keys contain ':' or start with '@'.
func (r *contextReader) checkKnown(key string) {
	if strings.ContainsAny(key, ":@") || key == "acknowledged-issue-numbers" {
		return
	}
	for _, k := range contextKeys {
		if k == key {
			return
		}
	}
	hint := ""
	for _, k := range contextKeys {
		if key != "" && (strings.EqualFold(k, key) || strings.HasPrefix(k, key) || strings.HasPrefix(key, k)) {
			hint = fmt.Sprintf(" (did you mean %q?)", k)
			break
		}
	}
	known := append([]string(nil), contextKeys...)
	sort.Strings(known)
	r.fail(key, "is not a mediacdn setting%s; known keys: %s", hint, strings.Join(known, ", "))
}

func (r *contextReader) str(key, def string) string {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		r.fail(key, "must be a string, got %s", describe(v))
		return def
	}
	return strings.TrimSpace(s)
}

// list accepts a JSON array of strings, or on the command line a JSON array
// or comma-separated string.
func (r *contextReader) list(key string) []string {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return nil
	}
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	case []string:
		for _, s := range t {
			items = append(items, s)
		}
	case string:
		t = strings.TrimSpace(t)
		if strings.HasPrefix(t, "[") {
			if err := json.Unmarshal([]byte(t), &items); err != nil {
				r.fail(key, `is not a valid JSON list (%v): write ["a","b"] or a,b`, err)
				return nil
			}
		} else if t != "" {
			for _, s := range strings.Split(t, ",") {
				items = append(items, strings.TrimSpace(s))
			}
		}
	default:
		r.fail(key, `must be a list of strings like ["a","b"], got %s`, describe(v))
		return nil
	}
	out := []string{}
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			r.fail(key, "item %d must be a string, got %s", i, describe(item))
			continue
		}
		out = append(out, s)
	}
	if r.failed[key] {
		return nil
	}
	return out
}

func (r *contextReader) boolean(key string, def bool) bool {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return def
	}
	switch t := v.(type) {
	case bool:
		return t
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(t)); err == nil {
			return b
		}
	}
	r.fail(key, "must be true or false, got %s", describe(v))
	return def
}

// integer reads a whole number of unit in [min, max]; an absent key gives 0.
// The range is checked on the value as written, before any conversion, so
// 1e400, NaN or 2^63 cannot wrap around into something that looks valid.
func (r *contextReader) integer(key, unit string, min, max int64) int64 {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return 0
	}
	n, why := wholeNumber(v, min, max)
	if why != "" {
		r.fail(key, "must be a whole number of %s from %d to %d, got %s%s", unit, min, max, describe(v), why)
		return 0
	}
	return n
}

// ttl reads {"min": s, "default": s, "max": s} in seconds; omitted fields
// keep the construct's defaults for that kind.
func (r *contextReader) ttl(key string) *mediacdn.CacheTtl {
	obj, ok := r.object(key, `{"min":0,"default":86400,"max":31536000} (seconds)`)
	if !ok {
		return nil
	}
	t := mediacdn.DefaultMediaTtl()
	if key == "playlistTtl" {
		t = mediacdn.DefaultPlaylistTtl()
	}
	fields := make([]string, 0, len(obj))
	for field := range obj {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	maxSeconds := int64(mediacdn.MaxTtl / time.Second)
	for _, field := range fields {
		raw := obj[field]
		var dst *time.Duration
		switch field {
		case "min":
			dst = &t.Min
		case "default":
			dst = &t.Default
		case "max":
			dst = &t.Max
		default:
			r.fail(key, `has an unknown field %s: use "min", "default" and "max"`, safetext.Quote(field, 40))
			continue
		}
		n, why := wholeNumber(raw, 0, maxSeconds)
		if why != "" {
			r.fail(key, "field %q must be a whole number of seconds from 0 to %d (100 years), got %s%s", field, maxSeconds, describe(raw), why)
			continue
		}
		*dst = time.Duration(n) * time.Second // n <= 100 years: no overflow
	}
	if r.failed[key] {
		return nil
	}
	return &t
}

// numberText is a decimal number as JSON writes it (leading zeros allowed,
// as a shell user may type them); hex, NaN, Inf and underscores are not.
var numberText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// wholeNumber returns v as an integer in [min, max], or why it is not one
// (a short phrase to append to the message). Nothing is converted to an
// integer until it is known to be in range.
func wholeNumber(v any, min, max int64) (int64, string) {
	var f float64
	switch t := v.(type) {
	case float64:
		f = t
	case int:
		f = float64(t)
	case int64:
		f = float64(t)
	case json.Number:
		return wholeNumber(string(t), min, max)
	case string:
		t = strings.TrimSpace(t)
		if len(t) > 64 || !numberText.MatchString(t) {
			return 0, " (not a number)"
		}
		var err error
		f, err = strconv.ParseFloat(t, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) && f == 0:
			return 0, " (not a whole number)" // 1e-400
		case errors.Is(err, strconv.ErrRange) && f > 0:
			return 0, " (too large)" // 1e400
		case errors.Is(err, strconv.ErrRange):
			return 0, " (too small)"
		case err != nil:
			return 0, " (not a number)"
		}
	default:
		return 0, " (not a number)"
	}
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, " (not a finite number)"
	case f != math.Trunc(f):
		return 0, " (not a whole number)"
	case f < float64(min):
		return 0, " (too small)"
	case f > float64(max):
		return 0, " (too large)"
	}
	return int64(f), ""
}

// describe shows a value as the user wrote it, shortened and with control
// characters escaped.
func describe(v any) string {
	switch t := v.(type) {
	case string:
		return safetext.Quote(t, 80)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e21 {
			return strconv.FormatFloat(t, 'f', -1, 64) // an account id, not 1.23456789012e+11
		}
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return safetext.Quote(fmt.Sprintf("%v", v), 80)
	}
	if len(b) > 80 {
		return safetext.Quote(string(b), 80)
	}
	return string(b)
}
