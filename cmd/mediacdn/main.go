// Command mediacdn is the toolkit that goes with the mediacdn CDK construct:
// it generates CloudFront signing keys, signs and verifies CloudFront signed
// URLs and cookies, and diagnoses CORS and signing failures in a live URL or a
// synthesized template.
//
//	mediacdn keygen --out keys/
//	mediacdn sign --url https://media.example.com/a.jpg --key-pair-id K2JCJMDEHXQW5F --private-key keys/private_key.pem --expires 1h
//	mediacdn verify --public-key keys/public_key.pem 'https://media.example.com/a.jpg?Expires=...'
//	mediacdn doctor https://media.example.com/video/index.m3u8 --origin https://app.example.com
//	mediacdn doctor --template cdk.out
//	mediacdn serve --template cdk.out --dir ./media
//
// Exit status: 0 success, 1 a check or verification failed (or another
// runtime error), 2 a usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// exitError carries a specific exit status up to main. A nil err means the
// command already printed what it had to say (a failed verification, say).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad flags or arguments: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// subcommands is filled by each subcommand's file, so that the commands stay
// independent of each other.
var subcommands []func() *cobra.Command

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "mediacdn",
		Short:         "Sign, verify and diagnose private media served by CloudFront",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(debug.ReadBuildInfo()),
	}
	root.SetVersionTemplate("mediacdn {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	for _, newCmd := range subcommands {
		root.AddCommand(newCmd())
	}
	return root
}

// run executes the CLI with args and returns the exit status; main stays a
// one-liner so tests can drive the whole CLI in-process.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "mediacdn: %s\n", errorLine(ee.err))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "mediacdn: %s\n", errorLine(err))
	// cobra reports unknown commands and wrong argument counts as plain errors.
	if isCobraUsageError(err) {
		return exitUsage
	}
	return exitFail
}

// version describes the build from the module version Go embeds: the tag
// for `go install ...@v1.2.3`, else "(devel)" plus the VCS revision a build
// from a clone records.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "unknown (built without module information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" && v == "(devel)" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev + modified
	}
	return v + " " + info.GoVersion
}

// errorLine renders an error message for the terminal (see printable): a
// message can carry text from outside unquoted, such as the path in an os
// error or an unknown flag's name.
func errorLine(err error) string { return printable(err.Error()) }

// printable returns s unchanged when nothing in it acts on a terminal (a
// message quoting outside values with %q, a JSON snippet), and escaped
// whole (safetext.Escape) otherwise, rather than with every backslash of
// an already quoted value doubled.
func printable(s string) string {
	if esc := safetext.Escape(s); esc != strings.ReplaceAll(s, `\`, `\\`) {
		return esc
	}
	return s
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
