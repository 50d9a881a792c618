package mediacdn_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

// Embedding the construct in another CDK app: the README shows this example.
func ExampleNew() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Video"), nil)
	media, err := mediacdn.New(stack, "Media", &mediacdn.Props{
		AllowedOrigins: []string{"https://backoffice.example.com"},
	})
	if err != nil {
		fmt.Println(err) // every invalid prop, with its fix; nothing was added to stack
		return
	}
	// Extend what it created: let an uploader role write media.
	uploader := awsiam.NewRole(stack, jsii.String("Uploader"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("mediaconvert.amazonaws.com"), nil),
	})
	media.Bucket.GrantPut(uploader, nil)
	awscdk.NewCfnOutput(stack, jsii.String("Domain"), &awscdk.CfnOutputProps{Value: media.Distribution.DistributionDomainName()})
	app.Synth(nil)
}
