// Command mediacdn-app is the CDK app: it reads the configuration from CDK
// context (cdk.json, or -c key=value) and synthesizes the media stack. The
// CDK CLI runs it (npx cdk synth / deploy): the CLI reads cdk.json and passes
// the context and the output directory in the environment.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/mediacdn/mediacdn/stacks"
)

func main() { os.Exit(run(os.Stderr)) }

// notUnderCLI explains what a plain `go run .` cannot do: without the CLI
// there is no cdk.json context, so every setting would be missing.
const notUnderCLI = `mediacdn: this is a CDK app, run by the CDK CLI, which reads cdk.json and passes its
context to the app; started directly it would see no settings. From this directory:

    npm ci                      # once: the pinned CDK CLI
    npx cdk synth               # CloudFormation template into cdk.out/
    npx cdk deploy              # deploy (after npx cdk bootstrap, once per account and region)

Settings: cdk.json "context", or -c key=value (npx cdk synth -c allowedOrigins=https://app.example.com).
The command-line tool is cmd/mediacdn: go run ./cmd/mediacdn --help
`

func run(stderr io.Writer) int {
	if os.Getenv("CDK_OUTDIR") == "" {
		fmt.Fprint(stderr, notUnderCLI)
		return 2
	}
	app := awscdk.NewApp(nil)
	cfg, err := stacks.ConfigFromContext(app.Node())
	if err == nil {
		_, err = stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
	}
	if err != nil {
		fmt.Fprintln(stderr, "mediacdn:", err)
		return 1
	}
	app.Synth(nil)
	return 0
}
