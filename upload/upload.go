// Package upload copies a directory of media to an S3 bucket with the
// Content-Type and Cache-Control players and CloudFront need (package
// mediatype), skipping objects that already hold the same bytes and
// metadata. It never deletes anything.
//
//	client := s3client.New(cfg, "")
//	sum, err := upload.Run(ctx, "./video", upload.Options{Client: client, Bucket: "media", Prefix: "video/"})
//
// Only regular files are uploaded. Symbolic links are not followed (a link
// could carry files from outside the directory, or loop) and special files
// (FIFOs, sockets, devices) are not read: both are reported as skipped. A
// file replaced by either after the directory was read fails instead.
package upload

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/mediacdn/mediacdn/internal/s3client"
	"github.com/mediacdn/mediacdn/mediatype"
)

// Options configures Run.
type Options struct {
	Client *s3.Client
	Bucket string
	// Prefix is prepended to each file's path relative to the directory;
	// a missing trailing "/" is added ("video" -> "video/a.ts").
	Prefix string
	// Concurrency is how many files are uploaded at once (0: 4).
	Concurrency int
	// PartSize is the size from which files go up in parts of that size
	// (0: 5 MiB, S3's smallest part, which is also the minimum).
	PartSize int64
	// DryRun compares with the bucket and reports, but uploads nothing.
	DryRun bool
	// Progress, if set, is called (from several goroutines, serialized)
	// for each file event and as bytes are sent.
	Progress func(Event)
}

// Action is what happened to one file.
type Action int

// The actions, in the order Event reports them.
const (
	Planned     Action = iota // found while walking; Event.Size counts toward the total
	Sending                   // bytes sent so far (Event.Sent)
	Uploaded                  // stored in the bucket
	Unchanged                 // already in the bucket with the same bytes, type and cache policy
	WouldUpload               // dry run: would be uploaded
	Skipped                   // not a regular file (symlink, FIFO, ...): Event.Reason says why
	Failed                    // Event.Err says why
)

// Event reports progress on one file.
type Event struct {
	Action       Action
	Path         string // relative to the directory, with "/" separators
	Key          string
	Size         int64
	Sent         int64 // for Sending
	ContentType  string
	CacheControl string
	Reason       string // for Skipped
	Err          error  // for Failed
}

// Summary counts the outcome of a Run.
type Summary struct {
	Uploaded, Unchanged, WouldUpload, Skipped int
	Failed                                    []Event
	Bytes                                     int64 // bytes uploaded
}

// md5MetaKey is the user metadata holding the file's MD5 (hex), so a
// multipart object (whose ETag is not an MD5) can be compared too.
const md5MetaKey = "md5"

// maxKeyBytes is S3's key length limit.
const maxKeyBytes = 1024

// CheckDestination checks a bucket name and key prefix before anything is
// sent: S3's bucket naming rules, and a prefix that CloudFront can serve
// (see checkKey) with no empty segment (a leading or doubled '/', which
// would put "//" in every URL: a typo, not a folder).
func CheckDestination(bucket, prefix string) error {
	if err := s3client.CheckBucket(bucket); err != nil {
		return err
	}
	if prefix == "" {
		return nil
	}
	p := strings.TrimSuffix(prefix, "/")
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return fmt.Errorf("prefix %q has an empty path segment (a leading or doubled '/'): every URL would hold \"//\"", prefix)
	}
	if err := checkKey(p); err != nil {
		return fmt.Errorf("prefix %q: %v", prefix, err)
	}
	return nil
}

// checkKey refuses an object key S3 does not take (invalid UTF-8, more
// than 1024 bytes) or that no browser URL reaches through CloudFront: a
// segment that browsers read as "." or ".." (also written %2e) and remove
// from the path before requesting it.
func checkKey(key string) error {
	if !utf8.ValidString(key) {
		return errors.New("not valid UTF-8, which S3 keys must be; rename it")
	}
	if len(key) > maxKeyBytes {
		return fmt.Errorf("key is %d bytes; S3 allows %d", len(key), maxKeyBytes)
	}
	for _, seg := range strings.Split(key, "/") {
		switch strings.ToLower(seg) {
		case ".", "..", "%2e", "%2e%2e", ".%2e", "%2e.":
			return fmt.Errorf("has the path segment %q, which browsers read as \".\" or \"..\" and remove from the URL: CloudFront could never serve it; rename it", seg)
		}
	}
	return nil
}

// Run uploads every regular file under dir. It returns an error only when
// it could not run at all (bad options, unreadable dir, cancelled); files
// that failed, or whose names no URL can reach (see checkKey), are listed
// in Summary.Failed.
func Run(ctx context.Context, dir string, opts Options) (Summary, error) {
	if opts.Client == nil || opts.Bucket == "" {
		return Summary{}, errors.New("upload: Client and Bucket are required")
	}
	if err := CheckDestination(opts.Bucket, opts.Prefix); err != nil {
		return Summary{}, err
	}
	// Zero means the default; anything else out of range is an error, not
	// silently replaced.
	switch {
	case opts.Concurrency < 0:
		return Summary{}, fmt.Errorf("upload: Concurrency %d: use 1 or more (0 for the default, 4)", opts.Concurrency)
	case opts.Concurrency == 0:
		opts.Concurrency = 4
	}
	switch {
	case opts.PartSize == 0:
		opts.PartSize = manager.MinUploadPartSize
	case opts.PartSize < manager.MinUploadPartSize:
		return Summary{}, fmt.Errorf("upload: PartSize %d is below S3's minimum part size, %d bytes (5 MiB; 0 for that default)", opts.PartSize, int64(manager.MinUploadPartSize))
	}
	if opts.Prefix != "" && !strings.HasSuffix(opts.Prefix, "/") {
		opts.Prefix += "/"
	}
	st, err := os.Stat(dir)
	if err != nil {
		return Summary{}, err
	}
	if !st.IsDir() {
		return Summary{}, fmt.Errorf("%s is not a directory", dir)
	}
	r := &runner{opts: opts, ctx: ctx}
	r.uploader = manager.NewUploader(opts.Client, func(u *manager.Uploader) {
		u.PartSize = opts.PartSize
		u.Concurrency = 2 // parts per file; files run opts.Concurrency at a time
		// The manager aborts a failed multipart upload with the upload's
		// context, which fails once that is cancelled (Ctrl-C) and leaves
		// billed parts behind; abortMultipart does it with its own.
		u.LeavePartsOnError = true
	})
	files, err := r.walk(dir)
	if err != nil {
		return r.sum, err
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < opts.Concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r.one(j)
			}
		}()
	}
feed:
	for _, j := range files {
		select {
		case jobs <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	sort.Slice(r.sum.Failed, func(i, j int) bool { return r.sum.Failed[i].Path < r.sum.Failed[j].Path })
	return r.sum, ctx.Err()
}

type job struct {
	abs, rel, key string
	size          int64
}

type runner struct {
	opts     Options
	ctx      context.Context
	uploader *manager.Uploader
	mu       sync.Mutex
	sum      Summary
}

func (r *runner) emit(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Action {
	case Uploaded:
		r.sum.Uploaded++
		r.sum.Bytes += e.Size
	case Unchanged:
		r.sum.Unchanged++
	case WouldUpload:
		r.sum.WouldUpload++
	case Skipped:
		r.sum.Skipped++
	case Failed:
		r.sum.Failed = append(r.sum.Failed, e)
	}
	if r.opts.Progress != nil {
		r.opts.Progress(e)
	}
}

// walk lists the regular files under dir without following symlinks,
// reporting everything else as skipped.
func (r *runner) walk(dir string) ([]job, error) {
	var files []job
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, relErr := filepath.Rel(dir, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == dir {
				return err
			}
			r.emit(Event{Action: Failed, Path: rel, Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		key := r.opts.Prefix + rel
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			r.emit(Event{Action: Skipped, Path: rel, Key: key, Reason: "symbolic link, not followed"})
			return nil
		case !t.IsRegular():
			r.emit(Event{Action: Skipped, Path: rel, Key: key, Reason: "not a regular file (" + t.String() + ")"})
			return nil
		}
		if err := checkKey(key); err != nil {
			r.emit(Event{Action: Failed, Path: rel, Key: key, Err: fmt.Errorf("file name: %v", err)})
			return nil
		}
		info, err := d.Info()
		if err != nil {
			r.emit(Event{Action: Failed, Path: rel, Key: key, Err: err})
			return nil
		}
		files = append(files, job{abs: p, rel: rel, key: key, size: info.Size()})
		r.emit(Event{Action: Planned, Path: rel, Key: key, Size: info.Size()})
		return nil
	})
	return files, err
}

// one compares a file with its object and uploads it when they differ.
func (r *runner) one(j job) {
	kind := mediatype.KindOf(j.rel)
	ev := Event{Path: j.rel, Key: j.key, Size: j.size, ContentType: mediatype.ContentType(j.rel), CacheControl: mediatype.CacheControl(kind)}
	fail := func(err error) {
		ev.Action, ev.Err = Failed, err
		r.emit(ev)
	}
	if r.ctx.Err() != nil {
		fail(r.ctx.Err())
		return
	}
	// The file may have been replaced since the walk: by a symlink (which
	// open would follow out of the directory) or a FIFO (which open would
	// block on). Lstat sees both; the file opened must be the one seen.
	before, err := os.Lstat(j.abs)
	if err != nil {
		fail(err)
		return
	}
	if !before.Mode().IsRegular() {
		fail(errors.New("no longer a regular file (replaced since the directory was read)"))
		return
	}
	f, err := os.OpenFile(j.abs, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		fail(err)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		fail(err)
		return
	}
	if !info.Mode().IsRegular() || !os.SameFile(before, info) {
		fail(errors.New("no longer a regular file (replaced since the directory was read)"))
		return
	}
	ev.Size = info.Size()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		fail(err)
		return
	}
	sum := h.Sum(nil)
	md5hex := hex.EncodeToString(sum)
	same, err := r.unchanged(ev, md5hex)
	if err != nil {
		fail(err)
		return
	}
	switch {
	case same:
		ev.Action = Unchanged
		r.emit(ev)
		return
	case r.opts.DryRun:
		ev.Action = WouldUpload
		r.emit(ev)
		return
	}
	in := &s3.PutObjectInput{
		Bucket:       aws.String(r.opts.Bucket),
		Key:          aws.String(j.key),
		Body:         &progressReader{ReaderAt: f, size: ev.Size, report: func(n int64) { r.emit(Event{Action: Sending, Path: j.rel, Key: j.key, Size: ev.Size, Sent: n}) }},
		ContentType:  aws.String(ev.ContentType),
		CacheControl: aws.String(ev.CacheControl),
		Metadata:     map[string]string{md5MetaKey: md5hex},
	}
	if ev.Size < r.opts.PartSize { // one PutObject: let S3 check the bytes
		in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(sum))
	}
	if _, err := r.uploader.Upload(r.ctx, in); err != nil {
		fail(r.abortMultipart(describe(err, r.opts.Bucket), j.key))
		return
	}
	ev.Action = Uploaded
	r.emit(ev)
}

// abortMultipart aborts the unfinished multipart upload err reports, if
// any, even when the run was cancelled, and says so in the error if that
// fails.
func (r *runner) abortMultipart(err error, key string) error {
	var mf manager.MultiUploadFailure
	if !errors.As(err, &mf) || mf.UploadID() == "" {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), abortTimeout)
	defer cancel()
	_, aerr := r.opts.Client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(r.opts.Bucket), Key: aws.String(key), UploadId: aws.String(mf.UploadID()),
	})
	if aerr != nil {
		return fmt.Errorf("%w; its unfinished multipart upload %s could not be aborted (%v): abort it with aws s3api abort-multipart-upload --bucket %s --key KEY --upload-id %s", err, mf.UploadID(), aerr, r.opts.Bucket, mf.UploadID())
	}
	return err
}

// abortTimeout bounds the clean-up of a failed multipart upload.
const abortTimeout = 30 * time.Second

// unchanged reports whether the object already holds the file: same size,
// same MD5 (the ETag of a single-part object, or the md5 metadata this
// package stores), same Content-Type and Cache-Control. An object with the
// right bytes but a guessed type (aws s3 cp) is uploaded again.
func (r *runner) unchanged(ev Event, md5hex string) (bool, error) {
	out, err := r.opts.Client.HeadObject(r.ctx, &s3.HeadObjectInput{Bucket: aws.String(r.opts.Bucket), Key: aws.String(ev.Key)})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			switch api.ErrorCode() {
			case "NotFound", "NoSuchKey":
				return false, nil
			case "Forbidden", "AccessDenied":
				// Without s3:ListBucket S3 answers 403 for a missing key:
				// nothing to compare with, so upload (harmless if present).
				return false, nil
			}
		}
		return false, describe(err, r.opts.Bucket)
	}
	if aws.ToInt64(out.ContentLength) != ev.Size ||
		aws.ToString(out.ContentType) != ev.ContentType || aws.ToString(out.CacheControl) != ev.CacheControl {
		return false, nil
	}
	etag := strings.Trim(aws.ToString(out.ETag), `"`)
	return etag == md5hex || out.Metadata[md5MetaKey] == md5hex, nil
}

// describe adds what to do to the errors a user can act on.
func describe(err error, bucket string) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchBucket":
			return fmt.Errorf("bucket %s does not exist (check the name: the stack output BucketName)", bucket)
		case "AccessDenied", "Forbidden":
			return fmt.Errorf("access denied to bucket %s: the credentials need s3:PutObject and s3:GetObject on it, and s3:ListBucket to tell missing objects apart (S3 said: %s)", bucket, api.ErrorMessage())
		}
	}
	return err
}

// progressReader reads the file from the start through ReaderAt (so the
// transfer manager can also read parts directly) and reports bytes read,
// capped at the size when a retry reads again.
type progressReader struct {
	io.ReaderAt
	size   int64
	off    int64
	sent   atomic.Int64
	report func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	if p.off >= p.size {
		return 0, io.EOF
	}
	n, err := p.ReaderAt.ReadAt(b[:min(int64(len(b)), p.size-p.off)], p.off)
	p.off += int64(n)
	p.count(n)
	if err == io.EOF && p.off < p.size {
		return n, io.ErrUnexpectedEOF // the file shrank while uploading
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (p *progressReader) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.ReaderAt.ReadAt(b, off)
	p.count(n)
	return n, err
}

func (p *progressReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += p.off
	case io.SeekEnd:
		offset += p.size
	}
	if offset < 0 {
		return 0, errors.New("negative seek")
	}
	p.off = offset
	return offset, nil
}

func (p *progressReader) count(n int) {
	if n <= 0 {
		return
	}
	v := min(p.sent.Add(int64(n)), p.size)
	p.report(v)
}
