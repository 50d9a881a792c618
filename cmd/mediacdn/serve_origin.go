package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/s3origin"
)

func init() {
	subcommands = append(subcommands, newServeCmd)
	serveOrigin = openServeOrigin
}

// bucketCORS returns the CORS rules of the bucket behind the default
// behavior's origin, as S3 takes them (nil when it has none); known is
// false when the template does not define that bucket (an existing one,
// whose rules it cannot know).
func bucketCORS(dist *cfconfig.Distribution) (rules []s3origin.CORSRule, known bool) {
	o := dist.Origins[dist.DefaultBehavior().TargetOrigin]
	if o == nil || o.Bucket == nil {
		return nil, false
	}
	for _, r := range o.Bucket.CORS {
		rules = append(rules, s3origin.CORSRule(r))
	}
	return rules, true
}

// openServeOrigin builds the origin: s3origin.Dir over --dir, or
// s3origin.Remote to --s3-endpoint (after creating the bucket and applying
// the template's CORS rules with --create-bucket).
func openServeOrigin(ctx context.Context, f serveFlags, dist *cfconfig.Distribution, out io.Writer) (http.Handler, func(), error) {
	rules, known := bucketCORS(dist)
	if f.dir != "" {
		if !known {
			fmt.Fprintln(out, "note: the template does not define the origin bucket (an existing bucket), so its CORS rules are unknown: --dir answers as a bucket without CORS configuration")
		}
		d, err := s3origin.NewDir(f.dir, s3origin.DirOptions{CORS: rules})
		if err != nil {
			return nil, nil, usageError("--dir: %v", err)
		}
		return d, func() { d.Close() }, nil
	}
	if f.createBucket && !known {
		// Applying "no rules" would delete the CORS configuration the
		// user set on that bucket: refuse rather than overwrite it.
		b, e := safetext.Escape(f.bucket), safetext.Escape(f.endpoint)
		return nil, nil, usageError("--create-bucket: the template does not define the origin bucket (it imports an existing one), so it does not hold that bucket's CORS rules, "+
			"and serve will not replace or delete the CORS configuration of bucket %s at %s. Create the bucket and set its rules yourself "+
			"(aws --endpoint-url %s s3api create-bucket --bucket %s, then aws --endpoint-url %s s3api put-bucket-cors --bucket %s --cors-configuration "+
			"with the template's ...CorsConfiguration output), and run serve without --create-bucket", b, e, e, b, e, b)
	}
	if !known {
		fmt.Fprintf(out, "note: the template does not define the origin bucket (an existing bucket): the CORS rules of bucket %s at %s are used as they are\n", safetext.Escape(f.bucket), safetext.Escape(f.endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(f.region))
	if err != nil {
		return nil, nil, &exitError{code: exitFail, err: fmt.Errorf("AWS configuration for --s3-endpoint: %w", err)}
	}
	if f.createBucket {
		if err := s3origin.ApplyBucket(ctx, f.endpoint, f.bucket, rules, s3origin.ApplyOptions{Credentials: cfg.Credentials, Region: f.region}); err != nil {
			return nil, nil, &exitError{code: exitFail, err: err}
		}
		if len(rules) == 0 {
			fmt.Fprintf(out, "bucket %s at %s: created if missing; the template's bucket has no CORS rules, so its CORS configuration was deleted\n", safetext.Escape(f.bucket), safetext.Escape(f.endpoint))
		} else {
			fmt.Fprintf(out, "bucket %s at %s: created if missing, %d CORS rules from the template applied (replacing its CORS configuration)\n", safetext.Escape(f.bucket), safetext.Escape(f.endpoint), len(rules))
		}
	}
	rm, err := s3origin.NewRemote(f.endpoint, f.bucket, cfg.Credentials, f.region, s3origin.RemoteOptions{})
	if err != nil {
		return nil, nil, usageError("--s3-endpoint: %v", err)
	}
	return rm, func() {}, nil
}
