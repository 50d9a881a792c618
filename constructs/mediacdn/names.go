package mediacdn

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Name limits of the CloudFront resources the construct names. CloudFront
// names share one name space per account across every region and stack.
// Characters: letters, digits, '-' and '_' for all of them.
const (
	// AWS::CloudFront::Function Name: ^[a-zA-Z0-9-_]{1,64}$ (CloudFormation
	// resource schema).
	maxFunctionName = 64
	// Origin access control names: 64 (aws-cdk-lib caps its own at 64; the
	// CloudFormation schema gives no limit).
	maxOriginAccessControlName = 64
	// Cache and response headers policy names: 128 (aws-cdk-lib validates
	// cache policy names against 128 and caps response headers policy names
	// at 128).
	maxPolicyName = 128
	// Key group and public key names: 80, the cap aws-cdk-lib puts on the
	// names it generates for them (the schema gives no limit; stay under it).
	maxKeyName = 80
)

// regionRoom is what a name keeps free for "-" plus the longest region name
// (us-isof-south-1 has 15 characters), so the region can be appended at
// deploy time when the stack is environment-agnostic.
const regionRoom = 16

// accountUniqueName names a CloudFront resource whose name must be unique in
// the account: the stack name, the construct path below the stack plus
// suffix, and the region. Two stacks of one app (dev and prod stack names),
// or one stack deployed to two regions, so never collide. A name that would
// exceed maxLen keeps its beginning and ends in a hash of the whole, so it
// stays unique and the same on every synth.
func accountUniqueName(scope constructs.Construct, suffix string, maxLen int) *string {
	stack := awscdk.Stack_Of(scope)
	stackName := *stack.StackName()
	if isToken(stackName) {
		// A stack name known only at deploy time cannot be measured or hashed
		// now: the construct path from the app root (unique in the app) stands in.
		stackName = *stack.Node().Path()
	}
	rel := strings.TrimPrefix(*scope.Node().Path(), *stack.Node().Path())
	base := nameChars(stackName) + "-" + nameChars(rel) + suffix
	if room := maxLen - regionRoom; len(base) > room {
		sum := sha256.Sum256([]byte(base))
		base = base[:room-9] + "-" + hex.EncodeToString(sum[:4])
	}
	if region := *stack.Region(); !isToken(region) {
		return jsii.String(base + "-" + region)
	}
	return awscdk.Fn_Join(jsii.String("-"), &[]*string{jsii.String(base), awscdk.Aws_REGION()})
}

// nameChars keeps the characters every CloudFront name accepts.
func nameChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}
