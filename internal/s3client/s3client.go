// Package s3client builds S3 clients for AWS or an S3-compatible server the
// same way everywhere: an endpoint URL means path-style addressing, as such
// servers (versitygw, MinIO) expect bucket names in the path. It also holds
// the checks of an endpoint URL and a bucket name that every command and
// origin applies before sending anything.
//
//	if err := s3client.CheckBucket(bucket); err != nil { ... }
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	client := s3client.New(cfg, "http://127.0.0.1:7070")
package s3client

import (
	"fmt"
	"net/url"

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

// ParseEndpoint checks an S3-compatible server's URL: http or https, a
// host, no path, query or user information (the bucket goes in the path of
// each request). It returns the URL without a trailing "/".
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("S3 endpoint %q: want a URL such as http://127.0.0.1:7070 (scheme and host, no path)", endpoint)
	}
	u.Path = ""
	return u, nil
}

// CheckBucket applies S3's general purpose bucket naming rules that matter
// for a request path: 3-63 characters of a-z, 0-9, '.' and '-'.
func CheckBucket(name string) error {
	ok := len(name) >= 3 && len(name) <= 63
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-'
	}
	if !ok {
		return fmt.Errorf("bucket name %q: S3 bucket names are 3-63 characters of a-z, 0-9, '.' and '-'", name)
	}
	return nil
}
