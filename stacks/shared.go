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
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// The context keys that share CloudFront policies between stacks (20 cache
// policies and 20 response headers policies per account). Their values are
// what another stack's CachePolicyIds and ResponseHeadersPolicyId outputs
// say; the construct validates them (mediacdn.Props.CachePolicies).
const (
	cachePolicyIdsKey          = "cachePolicyIds"          // {"images": "ID", "playlists": "ID", ...}
	responseHeadersPolicyIdKey = "responseHeadersPolicyId" // "ID"
)

// object reads a JSON object (from cdk.json, or as a JSON string from -c
// key=value); example shows the expected form in messages. ok is false when
// the key is absent or invalid (then reported).
func (r *contextReader) object(key, example string) (obj map[string]any, ok bool) {
	v, set := r.ctx[key]
	if !set || v == nil {
		return nil, false
	}
	if s, isString := v.(string); isString {
		var parsed any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber() // 1e400 stays text until it is range-checked
		if err := dec.Decode(&parsed); err != nil || dec.More() {
			r.fail(key, "is not valid JSON (%s): write %s", safetext.Quote(s, 80), example)
			return nil, false
		}
		v = parsed
	}
	if obj, ok = v.(map[string]any); !ok {
		r.fail(key, "must be an object like %s, got %s", example, describe(v))
	}
	return obj, ok
}

// stringMap reads a JSON object of strings.
func (r *contextReader) stringMap(key string) map[string]string {
	obj, ok := r.object(key, `{"images":"ID","playlists":"ID"}`)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, raw := range obj {
		s, isString := raw.(string)
		if !isString {
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
