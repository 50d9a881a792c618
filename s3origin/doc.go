// Package s3origin provides S3 origins for the local CloudFront edge: Dir
// answers from a directory exactly as an S3 bucket answers CloudFront (CORS
// rules, preflights, Range, conditional requests, the errors and their XML
// bodies), and Remote forwards to any S3-compatible server, signing each
// request with SigV4 as Origin Access Control does. Both are http.Handlers
// receiving requests as CloudFront sends them to S3: the URL path is the
// object key and only forwarded headers are present.
//
//	rules := []s3origin.CORSRule{{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "HEAD"}}}
//	dir, err := s3origin.NewDir("media", s3origin.DirOptions{CORS: rules})
//	if err != nil { ... }
//	defer dir.Close()
//	http.ListenAndServe("127.0.0.1:8081", dir)
//
// Where S3 behaviour is not documented, Dir follows live captures recorded
// in ../shared/CLOUDFRONT-FACTS.md section 4 and is checked against the
// Versity S3 Gateway by a differential test (remote_diff_test.go).
package s3origin
