package doctor

import (
	"fmt"
	"strings"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// Template is a parsed set of CloudFront distributions, with the policies,
// buckets and functions they reference: from CloudFormation templates (a
// file or a cdk.out directory) or from the JSON the AWS CLI prints for a
// distribution. The model itself is package cfconfig.
type Template struct {
	// Source is the file or directory it was read from.
	Source string
	dists  []*distribution
}

// The doctor reads the shared distribution model under its own short names.
type (
	distribution = cfconfig.Distribution
	behavior     = cfconfig.Behavior
	origin       = cfconfig.Origin
	bucket       = cfconfig.Bucket
)

// ErrNoDistribution is returned when the input holds no CloudFront
// distribution.
var ErrNoDistribution = cfconfig.ErrNoDistribution

// LoadTemplate reads a CloudFormation template (JSON), a cdk.out directory
// (the stacks its manifest.json lists, or every *.template.json), or the JSON
// of aws cloudfront get-distribution-config / get-distribution.
func LoadTemplate(path string) (*Template, error) {
	dists, err := cfconfig.Load(path)
	if err != nil {
		return nil, err
	}
	return &Template{Source: path, dists: dists}, nil
}

// ParseTemplate parses one document (CloudFormation template JSON or AWS CLI
// distribution JSON); name labels its resources in findings.
func ParseTemplate(name string, data []byte) (*Template, error) {
	dists, err := cfconfig.Parse(name, data)
	if err != nil {
		return nil, err
	}
	return &Template{Source: name, dists: dists}, nil
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

// unresolvedNotes turns the references the model could not resolve into
// info findings.
func unresolvedNotes(d *distribution) []Finding {
	var out []Finding
	for _, u := range d.Unresolved {
		out = append(out, Finding{
			Severity: SeverityInfo,
			ID:       "policy.unresolved",
			Resource: d.Label,
			What:     fmt.Sprintf("%s %s is neither a managed policy nor defined in the input, so its contents are unknown and the checks that need them are skipped for the behaviors using it", u.Kind, u.Ref),
			Fix:      fmt.Sprintf("Audit the synthesized template that defines it, or read it with aws cloudfront get-%s --id ID.", strings.ReplaceAll(strings.ToLower(u.Kind), " ", "-")),
		})
	}
	return out
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
