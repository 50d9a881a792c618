// Command mediacdn-app is the CDK app: it reads the configuration from CDK
// context (cdk.json, or -c key=value) and synthesizes the media stack.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/mediacdn/mediacdn/stacks"
)

func main() {
	app := awscdk.NewApp(nil)
	cfg, err := stacks.ConfigFromContext(app.Node())
	if err == nil {
		_, err = stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mediacdn:", err)
		os.Exit(1)
	}
	app.Synth(nil)
}
