package stacks

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

// ConfigError lists every problem in the stack configuration, context
// values and construct checks together, each naming the context key.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	return "invalid configuration (cdk.json \"context\" or -c key=value):\n  - " + strings.Join(e.Problems, "\n  - ")
}

// LoadConfig parses the context and runs every check the stack and the
// construct make, without creating anything, so one run reports every
// problem: a bad value for one key does not hide a problem with another.
func LoadConfig(ctx map[string]any) (Config, error) {
	c, r := parseContext(ctx)
	props, keyFiles := c.mediaProps(r)
	if c.CertificateArn != "" && !r.failed["certificateArn"] {
		// The construct checks the certificate's region from its ARN; the
		// import itself needs a scope, which validation does not create.
		props.Certificate = certificateArn{arn: c.CertificateArn}
	}
	// Shared policies likewise: the construct checks only their ids.
	for kind, id := range c.CachePolicyIds {
		if props.CachePolicies == nil {
			props.CachePolicies = map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{}
		}
		props.CachePolicies[mediacdn.CachePolicyKind(kind)] = cachePolicyID{id: id}
	}
	if c.ResponseHeadersPolicyId != "" && !r.failed[responseHeadersPolicyIdKey] {
		props.ResponseHeadersPolicy = responseHeadersPolicyID{id: c.ResponseHeadersPolicyId}
	}
	var verr *mediacdn.ValidationError
	if err := props.ValidateInRegion(c.Region); errors.As(err, &verr) {
		for _, problem := range verr.Problems {
			key, text := translate(problem, keyFiles)
			if !r.failed[key] || indexed(problem) {
				r.errs = append(r.errs, text)
			}
		}
	} else if err != nil {
		r.errs = append(r.errs, err.Error())
	}
	if len(r.errs) > 0 {
		return c, &ConfigError{Problems: r.errs}
	}
	return c, nil
}

// certificateArn stands in for an imported certificate during validation:
// the construct only reads its ARN.
type certificateArn struct {
	awscertificatemanager.ICertificate
	arn string
}

func (c certificateArn) CertificateArn() *string { return &c.arn }

// cachePolicyID and responseHeadersPolicyID stand in for imported shared
// policies during validation: the construct only reads their ids.
type cachePolicyID struct {
	awscloudfront.ICachePolicy
	id string
}

func (p cachePolicyID) CachePolicyId() *string { return &p.id }

type responseHeadersPolicyID struct {
	awscloudfront.IResponseHeadersPolicy
	id string
}

func (p responseHeadersPolicyID) ResponseHeadersPolicyId() *string { return &p.id }

// propKeys maps the construct's prop names, as its messages spell them, to
// the context keys that set them.
var propKeys = map[string]string{
	"AllowedOrigins": "allowedOrigins", "AllowCredentials": "allowCredentials",
	"ImageExtensions": "imageExtensions", "PlaylistExtensions": "playlistExtensions", "SegmentExtensions": "segmentExtensions",
	"ImageTtl": "imageTtl", "SegmentTtl": "segmentTtl", "PlaylistTtl": "playlistTtl",
	"DomainNames": "domainNames", "Certificate": "certificateArn", "MinimumProtocolVersion": "minimumProtocolVersion",
	"PriceClass": "priceClass", "HttpVersion": "httpVersion",
	"AccessLogging": "accessLogging", "AccessLogRetention": "accessLogRetentionDays",
	"WebAclArn": "webAclArn", "GeoAllowList": "geoAllowList", "GeoDenyList": "geoDenyList",
	"OriginShieldRegion": "originShieldRegion", "PublicKeys": "publicKeyFiles", "PublicPaths": "publicPaths",
	"CachePolicies": cachePolicyIdsKey, "ResponseHeadersPolicy": responseHeadersPolicyIdKey,
}

// propPattern finds prop names in a construct message, with an item index
// (PublicKeys[0]), a map key, quoted by safetext.Quote (CachePolicies["images"]) or a bare
// list of known keys (CachePolicies[images, textImages]), or a CacheTtl field
// (ImageTtl.Max).
var propPattern = func() *regexp.Regexp {
	names := make([]string, 0, len(propKeys))
	for name := range propKeys {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)(?:\[(\d+)\]|\[("(?:[^"\\]|\\.)*"(?:\.\.\. \(\d+ bytes in all\))?)\]|\[([A-Za-z]+(?:, [A-Za-z]+)*)\]|\.(Min|Default|Max)\b|\b)`)
}()

// translate rewrites a construct message in context terms: every prop name
// becomes its context key ("PublicKeys[0]" becomes "publicKeyFiles" item 0
// with the file name). It returns the key the message starts with, if any.
func translate(problem string, keyFiles []string) (key, text string) {
	leading := ""
	text = propPattern.ReplaceAllStringFunc(problem, func(m string) string {
		sub := propPattern.FindStringSubmatch(m)
		k := propKeys[sub[1]]
		out := fmt.Sprintf("%q", k)
		switch {
		case sub[2] != "" && k == "publicKeyFiles":
			i, _ := strconv.Atoi(sub[2])
			if i < len(keyFiles) {
				out += " " + keyFiles[i]
			} else {
				out += " item " + sub[2]
			}
		case sub[2] != "":
			out += " item " + sub[2]
		case sub[3] != "": // already quoted by the construct, as the context reader quotes fields
			out += " field " + sub[3]
		case sub[4] != "":
			fields := strings.Split(sub[4], ", ")
			for i, f := range fields {
				fields[i] = strconv.Quote(f)
			}
			if len(fields) > 1 {
				out += " fields "
			} else {
				out += " field "
			}
			out += strings.Join(fields, ", ")
		case sub[5] != "":
			out += fmt.Sprintf(" field %q", strings.ToLower(sub[5]))
		}
		return out
	})
	if m := propPattern.FindStringSubmatchIndex(problem); m != nil && m[0] == 0 {
		leading = propKeys[problem[m[2]:m[3]]]
		text = "context " + text
	}
	return leading, text
}

// indexed reports whether a construct message is about one item of a list
// or one field of an object, which a problem with the key as a whole does not
// make redundant.
func indexed(problem string) bool {
	m := propPattern.FindStringSubmatch(problem)
	return m != nil && strings.HasPrefix(problem, m[0]) && (m[2] != "" || m[3] != "")
}
