package s3origin

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/mediatype"
)

// DirOptions configures a Dir.
type DirOptions struct {
	// CORS is the bucket's CORS configuration; nil means CORS is not
	// enabled on the bucket (preflights get 403 AccessForbidden).
	CORS []CORSRule
	// ListBucket says the reader (the distribution's OAC) also has
	// s3:ListBucket, so a missing key is 404 NoSuchKey; without it S3
	// answers 403 AccessDenied, which is what the OAC policy the construct
	// writes gets.
	ListBucket bool
}

// Dir serves a directory as one S3 bucket answers GET, HEAD and OPTIONS
// requests from CloudFront: the URL path is the object key. Files outside
// the directory are never served: keys with "." or ".." segments or empty
// segments name no file, and symlinks are followed only while they stay
// inside (os.Root). Only regular files are objects; directories, devices
// and FIFOs answer as missing keys.
type Dir struct {
	root *os.Root
	opts DirOptions

	mu    sync.Mutex
	etags map[etagKey]string // bounded: cleared when full
}

type etagKey struct {
	key   string
	size  int64
	mtime int64
}

// maxETags bounds the ETag cache; past it the cache starts over.
const maxETags = 4096

// NewDir returns a Dir serving the directory root with opts. It fails if
// root is not a readable directory or the CORS rules are ones S3 would
// refuse.
func NewDir(root string, opts DirOptions) (*Dir, error) {
	if err := ValidateCORS(opts.CORS); err != nil {
		return nil, err
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("origin directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("origin directory %s is not a directory", root)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("origin directory: %w", err)
	}
	return &Dir{root: r, opts: opts, etags: map[etagKey]string{}}, nil
}

// Close releases the directory handle.
func (d *Dir) Close() error { return d.root.Close() }

// ServeHTTP answers one request as S3 would.
func (d *Dir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, bad := checkRequest(r)
	if bad != nil {
		bad.write(w, r)
		return
	}
	switch r.Method {
	case http.MethodOptions:
		preflight(w, r, key, d.opts.CORS)
		return
	case http.MethodGet, http.MethodHead:
	default:
		readOnly(w, r, key)
		return
	}
	corsActual(w.Header(), r, d.opts.CORS)
	if key == "" {
		// A request for the bucket itself is ListObjects; listing is not
		// emulated, so it is denied as for a reader without s3:ListBucket.
		errAccessDenied().write(w, r)
		return
	}
	f, info, err := d.open(key)
	if err != nil {
		d.missing(w, r, key)
		return
	}
	defer f.Close()
	etag, err := d.etag(key, f, info)
	if err != nil {
		errInternal().write(w, r)
		return
	}
	serveObject(w, r, f, info.Size(), info.ModTime(), etag, mediatype.ContentType(key))
}

func (d *Dir) missing(w http.ResponseWriter, r *http.Request, key string) {
	if d.opts.ListBucket {
		errNoSuchKey(key).write(w, r)
		return
	}
	errAccessDenied().write(w, r)
}

// open returns the regular file key names inside the root.
func (d *Dir) open(key string) (*os.File, os.FileInfo, error) {
	if !fileKey(key) {
		return nil, nil, os.ErrNotExist
	}
	// Non-blocking open: a FIFO planted in the directory must not hang the
	// request; it is refused below as not a regular file.
	f, err := d.root.OpenFile(key, openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, os.ErrNotExist
	}
	return f, info, nil
}

// fileKey reports whether key can name a file: S3 allows keys such as
// "a//b", "./a" or "a/", which no path in a directory represents.
func fileKey(key string) bool {
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// etag returns the quoted MD5 of the file, as S3 gives a single-part
// upload, cached by key, size and modification time.
func (d *Dir) etag(key string, f *os.File, info os.FileInfo) (string, error) {
	k := etagKey{key, info.Size(), info.ModTime().UnixNano()}
	d.mu.Lock()
	e, ok := d.etags[k]
	d.mu.Unlock()
	if ok {
		return e, nil
	}
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, info.Size())); err != nil {
		return "", err
	}
	e = `"` + hex.EncodeToString(h.Sum(nil)) + `"`
	d.mu.Lock()
	if len(d.etags) >= maxETags {
		clear(d.etags)
	}
	d.etags[k] = e
	d.mu.Unlock()
	return e, nil
}

func errInternal() s3Error {
	return s3Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", nil}
}

// serveObject writes a GET or HEAD answer for an object: conditional
// headers first (304/412), then Range (206/416), else the whole object.
func serveObject(w http.ResponseWriter, r *http.Request, body io.ReaderAt, size int64, modified time.Time, etag, contentType string) {
	h := w.Header()
	setRequestIDs(h)
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	switch cond, name := checkConditions(r.Header, etag, modified); cond {
	case condFailed:
		h.Del("ETag")
		h.Del("Last-Modified")
		errPreconditionFailed(name).write(w, r)
		return
	case condNotModified:
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", contentType)
	start, length, status := int64(0), size, http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		br, ok, unsatisfiable := parseRange(rng, size)
		switch {
		case unsatisfiable:
			h.Del("Accept-Ranges")
			h.Del("Content-Type")
			h.Del("ETag")
			h.Del("Last-Modified")
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			errInvalidRange(rng, size).write(w, r)
			return
		case ok:
			start, length, status = br.start, br.end-br.start+1, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", br.start, br.end, size))
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.Copy(w, io.NewSectionReader(body, start, length))
}
