// Command embed is a complete CDK app that embeds the mediacdn construct in
// a stack of its own: copy this directory to start a new app (see README).
//
//	npm install                       # the pinned CDK CLI from package.json
//	npx cdk synth                     # or: npx cdk deploy -c stackName=video-prod
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

func main() {
	app := awscdk.NewApp(nil)
	if _, err := newVideoStack(app, "public_key.pem"); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
	app.Synth(nil)
}

// newVideoStack creates the stack: the media CDN with signed URLs, and the
// outputs a back end needs to sign them.
func newVideoStack(app awscdk.App, publicKeyFile string) (awscdk.Stack, error) {
	publicKey, err := readPublicKey(publicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("reading the signing public key (create one with `mediacdn keygen --out .`): %w", err)
	}
	// The stack name is part of every CloudFront name the construct makes,
	// so one app deploys as video-dev and video-prod in one account.
	stackName := "video-dev"
	if name, ok := app.Node().TryGetContext(jsii.String("stackName")).(string); ok && name != "" {
		stackName = name
	}
	stack := awscdk.NewStack(app, jsii.String("Video"), &awscdk.StackProps{StackName: jsii.String(stackName)})
	media, err := mediacdn.New(stack, "Media", &mediacdn.Props{
		AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000"},
		PublicKeys:     []string{string(publicKey)},
		PublicPaths:    []string{"thumbs/*"},
	})
	if err != nil {
		return nil, err // every invalid prop, with its fix; nothing was added to the stack
	}
	awscdk.NewCfnOutput(stack, jsii.String("Domain"), &awscdk.CfnOutputProps{
		Description: jsii.String("The distribution's domain: media is at https://DOMAIN/KEY"),
		Value:       media.Distribution.DistributionDomainName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("KeyPairId"), &awscdk.CfnOutputProps{
		Description: jsii.String("Key-Pair-Id to sign URLs and cookies with the private key of public_key.pem"),
		Value:       media.PublicKeys[0].Resource.PublicKeyId(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("BucketName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Upload media here: mediacdn upload DIR s3://BUCKET"),
		Value:       media.Bucket.BucketName(),
	})
	return stack, nil
}

// maxKeyFile bounds the read: a PEM public key is under 1 KB, and a wrong
// path (a device, a large file) must fail rather than fill memory.
const maxKeyFile = 64 << 10

func readPublicKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s: over %d KiB, which is no PEM public key", path, maxKeyFile>>10)
	}
	return data, nil
}
