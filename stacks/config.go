package stacks

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
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
	AccessLogRetentionDays int      // accessLogRetentionDays; 0 = construct default
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
// The error names the context key and says what to write instead.
func ParseContext(ctx map[string]any) (Config, error) {
	r := contextReader{ctx: ctx}
	for key := range ctx {
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
		AccessLogRetentionDays: r.integer("accessLogRetentionDays", 0),
		WebAclArn:              r.str("webAclArn", ""),
		GeoAllowList:           r.list("geoAllowList"),
		GeoDenyList:            r.list("geoDenyList"),
		OriginShieldRegion:     r.str("originShieldRegion", ""),
		PublicKeyFiles:         r.list("publicKeyFiles"),
		PublicPaths:            r.list("publicPaths"),
	}
	c.CachePolicyIds = r.stringMap(cachePolicyIdsKey)
	c.ResponseHeadersPolicyId = r.str(responseHeadersPolicyIdKey, "")
	if c.StackName == "" {
		r.fail("stackName", "is empty: give a CloudFormation stack name such as MediaCdn")
	}
	if len(r.errs) > 0 {
		return Config{}, fmt.Errorf("invalid context in cdk.json or -c:\n  - %s", strings.Join(r.errs, "\n  - "))
	}
	return c, nil
}

type contextReader struct {
	ctx  map[string]any
	errs []string
}

func (r *contextReader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf("context %q ", key)+fmt.Sprintf(format, args...))
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
		if strings.EqualFold(k, key) || strings.HasPrefix(k, key) || strings.HasPrefix(key, k) {
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

func (r *contextReader) integer(key string, def int) int {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return def
	}
	n, ok := number(v)
	if !ok || n != math.Trunc(n) || n < 0 || n > math.MaxInt32 {
		r.fail(key, "must be a whole number of zero or more, got %s", describe(v))
		return def
	}
	return int(n)
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
	for field, raw := range obj {
		n, ok := number(raw)
		if !ok || n != math.Trunc(n) {
			r.fail(key, "field %q must be a whole number of seconds, got %s", field, describe(raw))
			continue
		}
		d := time.Duration(n) * time.Second
		switch field {
		case "min":
			t.Min = d
		case "default":
			t.Default = d
		case "max":
			t.Max = d
		default:
			r.fail(key, `has an unknown field %q: use "min", "default" and "max"`, field)
		}
	}
	return &t
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return n, err == nil
	}
	return 0, false
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
