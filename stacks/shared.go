package stacks

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

// The context keys that share CloudFront policies between stacks (20 cache
// policies and 20 response headers policies per account). Their values are
// what another stack's CachePolicyIds and ResponseHeadersPolicyId outputs
// say; the construct validates them (mediacdn.Props.CachePolicies).
const (
	cachePolicyIdsKey          = "cachePolicyIds"          // {"images": "ID", "playlists": "ID", ...}
	responseHeadersPolicyIdKey = "responseHeadersPolicyId" // "ID"
)

// stringMap reads a JSON object of strings (from cdk.json, or as a JSON
// string from -c key=value).
func (r *contextReader) stringMap(key string) map[string]string {
	v, ok := r.ctx[key]
	if !ok || v == nil {
		return nil
	}
	if s, isString := v.(string); isString {
		var parsed any
		if err := json.Unmarshal([]byte(s), &parsed); err != nil {
			r.fail(key, `is not valid JSON (%v): write {"images":"ID","playlists":"ID"}`, err)
			return nil
		}
		v = parsed
	}
	obj, ok := v.(map[string]any)
	if !ok {
		r.fail(key, `must be an object like {"images":"ID","playlists":"ID"}, got %s`, describe(v))
		return nil
	}
	out := map[string]string{}
	for k, raw := range obj {
		s, ok := raw.(string)
		if !ok {
			r.fail(key, "field %q must be a string, got %s", k, describe(raw))
			continue
		}
		out[k] = strings.TrimSpace(s)
	}
	return out
}

// importSharedPolicies sets the construct's shared policies from the
// configured ids; it needs the stack as the scope of the imports.
func importSharedPolicies(stack awscdk.Stack, cfg Config, p *mediacdn.Props) {
	kinds := make([]string, 0, len(cfg.CachePolicyIds))
	for k := range cfg.CachePolicyIds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for i, kind := range kinds {
		if p.CachePolicies == nil {
			p.CachePolicies = map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{}
		}
		p.CachePolicies[mediacdn.CachePolicyKind(kind)] = awscloudfront.CachePolicy_FromCachePolicyId(stack,
			jsii.String(fmt.Sprintf("SharedCachePolicy%d", i)), jsii.String(cfg.CachePolicyIds[kind]))
	}
	if cfg.ResponseHeadersPolicyId != "" {
		p.ResponseHeadersPolicy = awscloudfront.ResponseHeadersPolicy_FromResponseHeadersPolicyId(stack,
			jsii.String("SharedResponseHeadersPolicy"), jsii.String(cfg.ResponseHeadersPolicyId))
	}
}

// addSharedPolicyOutputs outputs the policy ids in the form the context keys
// take, so a second stack can share this one's policies.
func addSharedPolicyOutputs(stack awscdk.Stack, media *mediacdn.MediaCdn) {
	ids := map[string]*string{}
	for kind, pol := range media.CachePolicies {
		ids[string(kind)] = pol.CachePolicyId()
	}
	awscdk.NewCfnOutput(stack, jsii.String("CachePolicyIds"), &awscdk.CfnOutputProps{
		Description: jsii.String("Share these cache policies with another mediacdn stack (20 per account): -c " + cachePolicyIdsKey + "='<this value>'"),
		Value:       stack.ToJsonString(ids, nil),
	})
	awscdk.NewCfnOutput(stack, jsii.String("ResponseHeadersPolicyId"), &awscdk.CfnOutputProps{
		Description: jsii.String("Share this response headers policy with a mediacdn stack of the same CORS settings: -c " + responseHeadersPolicyIdKey + "=<this value>"),
		Value:       media.ResponseHeadersPolicy.ResponseHeadersPolicyId(),
	})
}
