// Package nag records cdk-nag rule suppressions, each with its reason, as
// resource metadata in the format cdk-nag reads, so constructs can waive a
// deliberate finding without importing cdk-nag (and loading it into the jsii
// kernel on every synth).
//
//	nag.Suppress(bucket, nag.Suppression{Rule: "AwsSolutions-S1", Reason: "this is the log bucket"})
package nag

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Suppression waives one cdk-nag rule on a resource; Reason says why.
type Suppression struct {
	Rule   string
	Reason string
}

// metadataKey is where cdk-nag looks for suppressions on a CfnResource.
const metadataKey = "cdk_nag"

// Suppress adds suppressions to the CloudFormation resource behind c (c
// itself or its default child). Suppressions already recorded there are kept.
// It reports whether a resource was found.
func Suppress(c constructs.IConstruct, suppressions ...Suppression) bool {
	res, ok := c.(awscdk.CfnResource)
	if !ok {
		res, ok = c.Node().DefaultChild().(awscdk.CfnResource)
	}
	if !ok || len(suppressions) == 0 {
		return ok
	}
	var rules []any
	if existing, isMap := res.GetMetadata(jsii.String(metadataKey)).(map[string]any); isMap {
		if prev, isList := existing["rules_to_suppress"].([]any); isList {
			rules = prev
		}
	}
	for _, s := range suppressions {
		rules = append(rules, map[string]any{"id": s.Rule, "reason": s.Reason})
	}
	res.AddMetadata(jsii.String(metadataKey), map[string]any{"rules_to_suppress": rules})
	return true
}
