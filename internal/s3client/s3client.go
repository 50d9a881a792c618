// Package s3client builds S3 clients for AWS or an S3-compatible server the
// same way everywhere: an endpoint URL means path-style addressing, as such
// servers (versitygw, MinIO) expect bucket names in the path.
//
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	client := s3client.New(cfg, "http://127.0.0.1:7070")
package s3client

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// New returns an S3 client for cfg; a non-empty endpoint replaces AWS's and
// selects path-style requests.
func New(cfg aws.Config, endpoint string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
}
