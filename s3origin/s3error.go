package s3origin

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// s3Error is an S3 REST error: status, code, message and the extra elements
// S3 adds for some codes (Key, Method, ResourceType, ...).
type s3Error struct {
	status  int
	code    string
	message string
	extra   [][2]string
}

// The errors Dir answers with; texts as S3 sends them (ErrorResponses.html,
// and for the CORS ones ../shared/CLOUDFRONT-FACTS.md section 4).
func errAccessDenied() s3Error {
	return s3Error{http.StatusForbidden, "AccessDenied", "Access Denied", nil}
}

func errNoSuchKey(key string) s3Error {
	return s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", [][2]string{{"Key", key}}}
}

func errMethodNotAllowed(method, resource string) s3Error {
	return s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.",
		[][2]string{{"Method", method}, {"ResourceType", resource}}}
}

func errCORSNotEnabled() s3Error {
	return s3Error{http.StatusForbidden, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.",
		[][2]string{{"Method", "OPTIONS"}, {"ResourceType", "BUCKET"}}}
}

func errCORSForbidden(resource string) s3Error {
	return s3Error{http.StatusForbidden, "AccessForbidden",
		"CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
		[][2]string{{"Method", "OPTIONS"}, {"ResourceType", resource}}}
}

func errMissingOrigin() s3Error {
	return s3Error{http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed.", nil}
}

func errBadRequestMethod(m string) s3Error {
	return s3Error{http.StatusBadRequest, "BadRequest", "Invalid Access-Control-Request-Method: " + m, nil}
}

func errKeyTooLong(size int) s3Error {
	return s3Error{http.StatusBadRequest, "KeyTooLongError", "Your key is too long",
		[][2]string{{"Size", strconv.Itoa(size)}, {"MaxSizeAllowed", strconv.Itoa(maxKeyBytes)}}}
}

func errInvalidURI() s3Error {
	return s3Error{http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.", nil}
}

func errHeadersTooLarge(size int) s3Error {
	return s3Error{http.StatusBadRequest, "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.",
		[][2]string{{"MaxSizeAllowed", strconv.Itoa(maxHeaderBytes)}}}
}

func errInvalidRange(requested string, size int64) s3Error {
	return s3Error{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable",
		[][2]string{{"RangeRequested", requested}, {"ActualObjectSize", strconv.FormatInt(size, 10)}}}
}

func errPreconditionFailed(condition string) s3Error {
	return s3Error{http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
		[][2]string{{"Condition", condition}}}
}

// write sends the error as S3 does: XML body (none for HEAD), with a
// RequestId and HostId, which is how the doctor tells S3 from CloudFront.
func (e s3Error) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	reqID, hostID := setRequestIDs(h)
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	xmlText(&b, e.code)
	b.WriteString("</Code><Message>")
	xmlText(&b, e.message)
	b.WriteString("</Message>")
	for _, kv := range e.extra {
		b.WriteString("<" + kv[0] + ">")
		xmlText(&b, kv[1])
		b.WriteString("</" + kv[0] + ">")
	}
	b.WriteString("<RequestId>" + reqID + "</RequestId><HostId>" + hostID + "</HostId></Error>")
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(b.String()))
}

func xmlText(b *strings.Builder, s string) { _ = xml.EscapeText(b, []byte(s)) }

// setRequestIDs sets x-amz-request-id and x-amz-id-2 and the Server header
// S3 sends, and returns the ids.
func setRequestIDs(h http.Header) (string, string) {
	if id := h.Get("x-amz-request-id"); id != "" {
		return id, h.Get("x-amz-id-2")
	}
	var raw [8 + 32]byte
	_, _ = rand.Read(raw[:])
	reqID := strings.ToUpper(hex.EncodeToString(raw[:8]))
	hostID := base64.StdEncoding.EncodeToString(raw[8:])
	h.Set("x-amz-request-id", reqID)
	h.Set("x-amz-id-2", hostID)
	h.Set("Server", "AmazonS3")
	return reqID, hostID
}
