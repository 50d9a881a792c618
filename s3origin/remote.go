package s3origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mediacdn/mediacdn/internal/s3client"
)

// RemoteOptions configures a Remote.
type RemoteOptions struct {
	// Client sends the signed requests; nil means a client with the
	// timeouts and header limit below.
	Client *http.Client
}

// Remote forwards CloudFront-style origin requests to one bucket of an
// S3-compatible server, path-style, each signed with SigV4 for service s3 as
// Origin Access Control signs them. It forwards only the headers S3 reads
// from CloudFront (CORS, Range, conditionals) and never the query string:
// the OAC reader has only s3:GetObject, for which queries are meaningless,
// while Remote's credentials may be the server's root. Methods other than
// GET, HEAD and OPTIONS are answered locally as S3 answers a read-only
// reader, so nothing is written through it.
type Remote struct {
	base   *url.URL
	bucket string
	creds  aws.CredentialsProvider
	region string
	client *http.Client
	signer *v4.Signer
}

// forwardedHeaders are the request headers Remote passes to S3.
var forwardedHeaders = []string{
	"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
	"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
}

// emptyPayloadHash is the SHA-256 of an empty body: GET, HEAD and OPTIONS
// carry none, so the payload is signed rather than UNSIGNED-PAYLOAD.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Bounds on the server's answer: header section size and time to headers.
const (
	maxResponseHeaderBytes = 64 << 10
	responseHeaderTimeout  = 30 * time.Second
)

// NewRemote returns a Remote for bucket at endpoint (http or https URL of an
// S3-compatible server), signing with creds for region.
func NewRemote(endpoint, bucket string, creds aws.CredentialsProvider, region string, opts RemoteOptions) (*Remote, error) {
	base, err := s3client.ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if err := s3client.CheckBucket(bucket); err != nil {
		return nil, err
	}
	if creds == nil {
		return nil, errors.New("S3 origin: no credentials to sign requests with")
	}
	if region == "" {
		return nil, errors.New("S3 origin: region is empty; SigV4 signs for a region (us-east-1 for most S3-compatible servers)")
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{
			Transport: &http.Transport{
				DialContext:            (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
				MaxResponseHeaderBytes: maxResponseHeaderBytes,
				ResponseHeaderTimeout:  responseHeaderTimeout,
				DisableCompression:     true,
				MaxIdleConnsPerHost:    16,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	return &Remote{base: base, bucket: bucket, creds: creds, region: region, client: client, signer: signer}, nil
}

// ServeHTTP forwards one origin request and streams the answer back.
func (rm *Remote) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, bad := checkRequest(r)
	if bad != nil {
		bad.write(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		readOnly(w, r, key)
		return
	}
	if key == "" && r.Method != http.MethodOptions {
		// ListObjects with the server's credentials would list the bucket
		// to anyone; the OAC reader lacks s3:ListBucket. (S3 would add CORS
		// headers to this denial; Remote does not know the rules.)
		errAccessDenied().write(w, r)
		return
	}
	resp, err := rm.do(r.Context(), r, key)
	if err != nil {
		http.Error(w, "S3 origin unreachable: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		if hopByHop[http.CanonicalHeaderKey(k)] {
			continue
		}
		h[k] = append([]string(nil), vs...)
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, resp.Body)
	}
}

var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true,
}

// do sends the signed request for key.
func (rm *Remote) do(ctx context.Context, r *http.Request, key string) (*http.Response, error) {
	u := *rm.base
	u.Path = "/" + rm.bucket + "/" + key
	u.RawPath = "/" + rm.bucket + "/" + escapeKey(key)
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	out.URL = &u
	for _, name := range forwardedHeaders {
		if vs := r.Header.Values(name); len(vs) > 0 {
			out.Header[name] = append([]string(nil), vs...)
		}
	}
	out.Header.Set("X-Amz-Content-Sha256", emptyPayloadHash)
	creds, err := rm.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if err := rm.signer.SignHTTP(ctx, creds, out, emptyPayloadHash, "s3", rm.region, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return rm.client.Do(out)
}

// escapeKey percent-encodes a key as S3's SigV4 canonical URI wants it:
// everything but unreserved characters and "/" (encoded once).
func escapeKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// ApplyOptions configures ApplyBucket.
type ApplyOptions struct {
	Credentials aws.CredentialsProvider
	Region      string
}

// ApplyBucket creates bucket on the S3-compatible server at endpoint if it
// is missing and replaces its CORS configuration with rules; nil rules
// delete the configuration, so the server matches a template without CORS.
func ApplyBucket(ctx context.Context, endpoint, bucket string, rules []CORSRule, opts ApplyOptions) error {
	if _, err := s3client.ParseEndpoint(endpoint); err != nil {
		return err
	}
	if err := s3client.CheckBucket(bucket); err != nil {
		return err
	}
	if err := ValidateCORS(rules); err != nil {
		return err
	}
	client := s3client.New(aws.Config{Region: opts.Region, Credentials: opts.Credentials}, endpoint)
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			return fmt.Errorf("bucket %s at %s: %w", bucket, endpoint, err)
		}
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("create bucket %s at %s: %w", bucket, endpoint, err)
		}
	}
	if rules == nil {
		if _, err := client.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("delete CORS of bucket %s: %w", bucket, err)
		}
		return nil
	}
	cfg := &types.CORSConfiguration{}
	for _, r := range rules {
		rule := types.CORSRule{
			AllowedOrigins: r.AllowedOrigins,
			AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders,
			ExposeHeaders:  r.ExposeHeaders,
		}
		if r.MaxAgeSeconds > 0 {
			rule.MaxAgeSeconds = aws.Int32(int32(min(r.MaxAgeSeconds, 1<<31-1)))
		}
		cfg.CORSRules = append(cfg.CORSRules, rule)
	}
	if _, err := client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: cfg}); err != nil {
		return fmt.Errorf("put CORS of bucket %s: %w", bucket, err)
	}
	return nil
}
