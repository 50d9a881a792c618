package edge

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/urlsign"
)

// signingParams are the query parameters CloudFront reads for a signed URL
// and removes before the request goes on (DG23 QueryStringParameters.md;
// Hash-Algorithm likewise, an assumption).
var signingParams = map[string]bool{"Expires": true, "Policy": true, "Signature": true, "Key-Pair-Id": true, "Hash-Algorithm": true}

// localKey is a public key with the Key-Pair-Id the edge gives it, and the
// template's PublicKey resources that hold it (two resources with the same
// key get the same id).
type localKey struct {
	id         string
	logicalIDs []string
	key        *cfkeys.PublicKey
}

// LocalKeyPairID is the Key-Pair-Id the edge gives a public key: a real id
// only exists after a deploy. It is derived from the key's fingerprint, so
// it is stable across restarts and PEM formatting: "K" and 13 base32
// characters, the shape of a CloudFront public key id.
func LocalKeyPairID(k *cfkeys.PublicKey) string {
	sum := sha256.Sum256([]byte(k.Fingerprint()))
	return "K" + base32.StdEncoding.EncodeToString(sum[:])[:13]
}

func loadKeys(d *cfconfig.Distribution) (map[string]*localKey, error) {
	keys := map[string]*localKey{}
	for _, b := range d.Behaviors {
		if b.TrustedSigners {
			return nil, fmt.Errorf("behavior %s uses legacy TrustedSigners (account key pairs): not emulated, use TrustedKeyGroups", b.Label())
		}
		if len(b.KeyGroups) != len(b.TrustedKeyGroups) {
			return nil, fmt.Errorf("behavior %s trusts key groups %s whose public keys are not in the template: signed URLs cannot be verified locally", b.Label(), strings.Join(b.TrustedKeyGroups, ", "))
		}
		for _, g := range b.KeyGroups {
			if len(g.PublicKeys) == 0 {
				return nil, fmt.Errorf("key group %s has no public key in the template", g.ID)
			}
		}
	}
	for _, pk := range d.PublicKeys() {
		k, err := cfkeys.ParsePublicKey([]byte(pk.PEM))
		if err != nil {
			return nil, fmt.Errorf("public key %s: %v", pk.LogicalID, err)
		}
		id := LocalKeyPairID(k)
		if lk := keys[id]; lk != nil {
			lk.logicalIDs = append(lk.logicalIDs, pk.LogicalID)
			continue
		}
		keys[id] = &localKey{id: id, logicalIDs: []string{pk.LogicalID}, key: k}
	}
	return keys, nil
}

// trusts reports whether behavior b trusts k (under any of its resources).
func trusts(b *cfconfig.Behavior, k *localKey) bool {
	for _, g := range b.KeyGroups {
		for _, pk := range g.PublicKeys {
			if slices.Contains(k.logicalIDs, pk.LogicalID) {
				return true
			}
		}
	}
	return false
}

// denial is a CloudFront signed-request refusal: the XML error code and
// message, and the precise local reason for the request log.
type denial struct {
	code, message, reason string
}

// The 403 bodies per cause (../shared/CLOUDFRONT-FACTS.md section 6).
func missingKey(reason string) *denial {
	return &denial{"MissingKey", "Missing Key-Pair-Id query parameter or cookie value", reason}
}
func invalidKey(reason string) *denial { return &denial{"InvalidKey", "Unknown Key", reason} }
func accessDenied(reason string) *denial {
	return &denial{"AccessDenied", "Access denied", reason}
}

// checkSigned verifies the signed URL (which wins when present) or the
// signed cookies of a request to a signed behavior. viewerURL is the URL as
// the viewer requested it, which the policy's resource is matched against.
func (e *Edge) checkSigned(b *cfconfig.Behavior, r *http.Request, viewerURL string) *denial {
	q := r.URL.Query()
	var s *urlsign.Signed
	var err error
	switch {
	case q.Has("Key-Pair-Id") || q.Has("Signature") || q.Has("Policy") || q.Has("Expires"):
		if q.Get("Key-Pair-Id") == "" {
			return missingKey("the signed URL has no Key-Pair-Id")
		}
		s, err = urlsign.Parse(viewerURL)
	default:
		if c, _ := r.Cookie(urlsign.CookieKeyPairID); c == nil || c.Value == "" {
			return missingKey("no Key-Pair-Id query parameter and no CloudFront-Key-Pair-Id cookie")
		}
		s, err = urlsign.ParseCookies(r.Cookies())
	}
	if err != nil {
		switch {
		case errors.Is(err, urlsign.ErrMalformedSignature):
			return &denial{"MalformedSignature", "Could not unencode Signature", err.Error()}
		case errors.Is(err, urlsign.ErrMalformedPolicy):
			return &denial{"MalformedPolicy", "Malformed Policy", err.Error()}
		}
		return accessDenied(err.Error())
	}
	k := e.keys[s.KeyPairID]
	if k == nil || !trusts(b, k) {
		return invalidKey(fmt.Sprintf("Key-Pair-Id %s is not a key of this behavior's key groups (local ids: %s)", s.KeyPairID, e.keyList()))
	}
	if err := s.Check(k.key.Key, viewerURL, e.now()); err != nil {
		if errors.Is(err, urlsign.ErrMalformedPolicy) {
			return &denial{"MalformedPolicy", "Malformed Policy", err.Error()}
		}
		return accessDenied(err.Error())
	}
	if s.IPAddress != "" {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip, perr := netip.ParseAddr(host)
		if perr != nil {
			return accessDenied("the policy has an IpAddress condition and the client address is unknown")
		}
		if err := s.CheckIP(ip); err != nil {
			return accessDenied(err.Error())
		}
	}
	return nil
}

func (e *Edge) keyList() string {
	ids := e.KeyPairIDs()
	var out []string
	for _, pk := range e.dist.PublicKeys() { // template order
		if id := ids[pk.LogicalID]; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return strings.Join(out, ", ")
}

// stripSigning removes CloudFront's signing parameters from a query.
func stripSigning(q []queryParam) []queryParam {
	out := q[:0:0]
	for _, p := range q {
		if !signingParams[p.name] {
			out = append(out, p)
		}
	}
	return out
}
