// Package weborigin parses web origins (scheme://host[:port]) into the form
// browsers serialise in the Origin header, following the WHATWG URL Standard
// host parser: lowercase scheme and host, internationalised names in
// punycode, IPv4 shorthand and hex/octal parts as dotted decimal, IPv6
// compressed, leading zeros and the default port dropped. CORS rules compare
// origins as strings, so two spellings of one origin must become one string,
// and a spelling no browser ever sends must be refused with the reason.
//
//	o, err := weborigin.Parse("HTTP://127.1:0080")
//	if err != nil { ... }
//	o.String() // "http://127.0.0.1"
//
//	p, err := weborigin.ParsePattern("https://*.Example.com") // "https://*.example.com"
package weborigin

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxLength bounds the input: a host name is at most 253 bytes, so anything
// much longer is refused before any work is done on it.
const MaxLength = 1024

// Origin is a parsed origin in the form a browser sends it.
type Origin struct {
	Scheme string // "http" or "https"
	// Host is ASCII: a lowercase DNS name (punycode for internationalised
	// names), a dotted-decimal IPv4 address, or an IPv6 address in brackets.
	Host string
	// Port is empty for the scheme's default port, else decimal without
	// leading zeros.
	Port string
	// Wildcard means Host stands for its subdomains: "*." + Host
	// (ParsePattern only).
	Wildcard bool
}

// String returns the origin as a browser serialises it, with "*." before
// the host of a wildcard pattern.
func (o Origin) String() string {
	var b strings.Builder
	b.WriteString(o.Scheme)
	b.WriteString("://")
	if o.Wildcard {
		b.WriteString("*.")
	}
	b.WriteString(o.Host)
	if o.Port != "" {
		b.WriteByte(':')
		b.WriteString(o.Port)
	}
	return b.String()
}

// Parse parses one origin, such as https://app.example.com or
// http://localhost:3000, and returns it in the form browsers send. The error
// says why the text is not an origin and, where it can, what to write.
func Parse(s string) (Origin, error) { return parse(s, false) }

// ParsePattern is Parse that also accepts a wildcard for the leftmost host
// label (https://*.example.com, with at least two labels after it): the only
// wildcard form both S3 CORS rules and CloudFront accept.
func ParsePattern(s string) (Origin, error) { return parse(s, true) }

// Canonical returns s in the form a browser sends it in the Origin header.
func Canonical(s string) (string, error) {
	o, err := Parse(s)
	if err != nil {
		return "", err
	}
	return o.String(), nil
}

func parse(s string, allowWildcard bool) (Origin, error) {
	if err := checkText(s); err != nil {
		return Origin{}, err
	}
	if s == "null" {
		return Origin{}, errors.New(`"null" is the origin browsers send for sandboxed frames, file: pages and some redirects; allowing it would allow all of them: list the real origins`)
	}
	i := strings.Index(s, ":")
	if i <= 0 || !strings.HasPrefix(s[i:], "://") {
		if i > 0 && isSchemeName(s[:i]) && (isHTTP(s[:i]) || !startsWithPort(s[i+1:])) {
			return Origin{}, fmt.Errorf("has no // after %q: write %s://HOST", s[:i+1], strings.ToLower(s[:i]))
		}
		return Origin{}, fmt.Errorf("has no scheme: browsers send the scheme in Origin, write https://%s (or http:// for local development)", strings.TrimPrefix(s, "//"))
	}
	var o Origin
	o.Scheme = strings.ToLower(s[:i])
	if o.Scheme != "http" && o.Scheme != "https" {
		return Origin{}, fmt.Errorf("scheme %q is not http or https: media is fetched by web pages, write https://HOST", s[:i])
	}
	rest := s[i+3:]
	hostport := rest
	if j := strings.IndexAny(rest, `/?#\`); j >= 0 {
		hostport = rest[:j]
		hint := suggestion(o.Scheme, hostport, allowWildcard)
		if rest[j:] == "/" {
			return Origin{}, fmt.Errorf("ends with a slash: an Origin header never does%s", hint)
		}
		return Origin{}, fmt.Errorf("has a path, query or fragment %q: an Origin header is only scheme://host[:port] (a page at %s sends its origin)%s", rest[j:], s, hint)
	}
	if strings.Contains(hostport, "@") {
		return Origin{}, fmt.Errorf("has user information before '@': an Origin header never does%s", suggestion(o.Scheme, hostport[strings.LastIndex(hostport, "@")+1:], allowWildcard))
	}
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return Origin{}, err
	}
	if o.Port, err = parsePort(o.Scheme, port); err != nil {
		return Origin{}, err
	}
	if allowWildcard && strings.HasPrefix(host, "*.") {
		o.Wildcard = true
		host = host[2:]
	}
	if o.Host, err = parseHost(host, o.Wildcard); err != nil {
		return Origin{}, err
	}
	if o.Wildcard {
		if strings.HasPrefix(o.Host, "[") || isDottedIPv4(o.Host) {
			return Origin{}, errors.New("a wildcard applies to domain names, not IP addresses")
		}
		if strings.Count(o.Host, ".") < 1 {
			return Origin{}, fmt.Errorf("wildcard *.%s is too broad: a wildcard may only replace the leftmost label of a domain with at least two more labels, e.g. https://*.example.com", o.Host)
		}
	}
	return o, nil
}

// checkText refuses what cannot be pasted into a setting by mistake-free
// hands: browsers silently strip tabs and line breaks, but in a setting they
// mean a broken shell line or a copied quote.
func checkText(s string) error {
	switch {
	case s == "":
		return errors.New("is empty: remove it, or write scheme://host[:port]")
	case len(s) > MaxLength:
		return fmt.Errorf("is %d bytes long: an origin is scheme://host[:port], at most a few hundred bytes", len(s))
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8 text")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) {
			return errors.New("contains white space, a line break or an invisible control character (a broken shell line or a copied quote?): write scheme://host[:port] with nothing around it")
		}
	}
	return nil
}

func isHTTP(scheme string) bool {
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
}

// startsWithPort reports whether s begins with a port number: what follows
// the host in "localhost:3010", which is a host and port, not a scheme.
func startsWithPort(s string) bool {
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	return digits > 0 && (digits == len(s) || strings.ContainsRune("/?#", rune(s[digits])))
}

func isSchemeName(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

// suggestion offers the canonical origin for hostport when there is one.
func suggestion(scheme, hostport string, allowWildcard bool) string {
	o, err := parse(scheme+"://"+hostport, allowWildcard)
	if err != nil {
		return ""
	}
	return ", write " + o.String()
}

func splitHostPort(hostport string) (host, port string, err error) {
	if strings.HasPrefix(hostport, "[") {
		end := strings.Index(hostport, "]")
		if end < 0 {
			return "", "", errors.New("has an IPv6 address without its closing ']'")
		}
		host, after := hostport[:end+1], hostport[end+1:]
		if after == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(after, ":") {
			return "", "", fmt.Errorf("has %q after the IPv6 address: write [ADDRESS]:PORT", after)
		}
		return host, after[1:], emptyPort(after[1:])
	}
	host, port, hasPort := strings.Cut(hostport, ":")
	if strings.Contains(port, ":") {
		if _, err := netip.ParseAddr(hostport); err == nil {
			return "", "", fmt.Errorf("has an IPv6 address without brackets: write [%s] (with :PORT after the bracket if needed)", hostport)
		}
		return "", "", errors.New("has more than one ':': write scheme://host[:port]")
	}
	if hasPort {
		return host, port, emptyPort(port)
	}
	return host, "", nil
}

func emptyPort(port string) error {
	if port == "" {
		return errors.New("has a ':' but no port: give the port number or drop the ':'")
	}
	return nil
}

// parsePort accepts ASCII digits only, as browsers do ("+80" and " 80" do
// not parse), drops leading zeros, and drops the scheme's default port.
func parsePort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	for _, c := range []byte(port) {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("port %q is not a number: browsers accept only the digits 0-9 there (no sign, no spaces)", port)
		}
	}
	digits := strings.TrimLeft(port, "0")
	n := 0
	if len(digits) > 5 {
		n = 1 << 20
	} else if digits != "" {
		n, _ = strconv.Atoi(digits)
	}
	switch {
	case n == 0:
		return "", fmt.Errorf("port %q is 0, which no page is served from: give a port from 1 to 65535", port)
	case n > 65535:
		return "", fmt.Errorf("port %q is out of range: give a port from 1 to 65535", port)
	case scheme == "http" && n == 80, scheme == "https" && n == 443:
		return "", nil // browsers leave the default port out
	}
	return strconv.Itoa(n), nil
}

// idnaProfile is the WHATWG URL Standard's "domain to ASCII" (UTS #46,
// nontransitional, hyphens unchecked, STD3 rules off; the forbidden code
// points are checked afterwards, and labels are then held to DNS rules).
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.BidiRule(),
	idna.StrictDomainName(false),
	idna.VerifyDNSLength(false),
)

func parseHost(host string, wildcard bool) (string, error) {
	if host == "" {
		return "", errors.New("has no host: write scheme://host[:port]")
	}
	if strings.HasPrefix(host, "[") {
		return parseIPv6(host[1 : len(host)-1])
	}
	if strings.Contains(host, "%") {
		return "", errors.New("has a percent-encoded host: write the host name itself")
	}
	if strings.Contains(host, "*") {
		if wildcard || host == "*" || strings.HasPrefix(host, "*.") {
			return "", errors.New("has a wildcard where only the leftmost label may be one: CloudFront and S3 accept forms like https://*.example.com")
		}
		return "", fmt.Errorf("has a wildcard inside a label (%s): CloudFront and S3 only accept a whole leftmost label, like https://*.example.com", host)
	}
	ascii, err := idnaProfile.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid internationalised domain name (%v)", host, err)
	}
	if strings.HasSuffix(ascii, ".") {
		return "", fmt.Errorf("host %q ends with a dot: browsers send the dot only when the page's address has one, so it is a different origin; write it without the dot", host)
	}
	if endsInNumber(ascii) {
		ip, err := parseIPv4(ascii)
		if err != nil {
			return "", fmt.Errorf("host %q ends in a number, so browsers read it as an IPv4 address, and it is not one (%v)", host, err)
		}
		return ip, nil
	}
	if len(ascii) > 253 {
		return "", fmt.Errorf("host is %d characters long: DNS names have at most 253", len(ascii))
	}
	for _, label := range strings.Split(ascii, ".") {
		if !validDNSLabel(label) {
			return "", fmt.Errorf("host %q is not a valid DNS name (label %q: 1 to 63 letters, digits, '-' or '_', not starting or ending with '-')", host, label)
		}
	}
	return ascii, nil
}

func validDNSLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for _, r := range []byte(label) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// parseIPv6 validates a bracketed literal and serialises it as the URL
// Standard does: lowercase hex without leading zeros, the first longest run
// of two or more zero pieces as "::", never a dotted IPv4 tail.
func parseIPv6(s string) (string, error) {
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is6() {
		return "", fmt.Errorf("[%s] is not a valid IPv6 address", s)
	}
	if addr.Zone() != "" {
		return "", fmt.Errorf("[%s] has a zone (%%%s), which browsers do not accept in a URL", s, addr.Zone())
	}
	b := addr.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, length := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	var out strings.Builder
	out.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == start {
			out.WriteString("::")
			i += length - 1
			continue
		}
		if i > 0 && i != start+length {
			out.WriteByte(':')
		}
		out.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	out.WriteByte(']')
	return out.String(), nil
}

// endsInNumber is the URL Standard's test for a host browsers parse as IPv4:
// its last label (ignoring one trailing dot) is decimal digits or a valid
// IPv4 number such as 0x7f.
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, err := parseIPv4Number(last)
	return err == nil
}

// parseIPv4 is the URL Standard's IPv4 parser: 1 to 4 parts, each decimal,
// 0x hex or 0-prefixed octal; the last part fills the remaining bytes, so
// 127.1 is 127.0.0.1.
func parseIPv4(host string) (string, error) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return "", errors.New("more than four parts")
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := parseIPv4Number(p)
		if err != nil {
			return "", fmt.Errorf("part %q: %v", p, err)
		}
		if i < len(parts)-1 && n > 255 {
			return "", fmt.Errorf("part %q is over 255", p)
		}
		nums[i] = n
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", fmt.Errorf("last part %q is too large", parts[len(parts)-1])
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff), nil
}

func parseIPv4Number(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty part")
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" {
		return 0, nil
	}
	var n uint64
	for _, c := range []byte(s) {
		d := uint64(36)
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		}
		if d >= uint64(base) {
			return 0, errors.New("not a number")
		}
		if n = n*uint64(base) + d; n > 1<<32 {
			return 0, errors.New("too large")
		}
	}
	return n, nil
}

func isDottedIPv4(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4()
}
