package awsauth

import (
	"slices"
	"strings"
)

// Limits of the Authorization header's parts. AWS documents none; these are
// far above what any SDK sends and keep a hostile header cheap to refuse.
const (
	maxAccessKeyLen    = 128
	maxSignedHeaders   = 64
	maxRegionLen       = 32
	signatureHexLength = 64
)

// parseAuthorization parses a SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
//	SignedHeaders=<h1>;<h2>..., Signature=<64 hex digits>
//
// host must be among the signed headers (as AWS requires), signed header
// names must be lowercase and sorted, and the region is any name of letters,
// digits and hyphens (see docs/aws-auth.md).
func parseAuthorization(h string) (credential, error) {
	var c credential
	if h == "" {
		return c, &Error{CodeMissingAuthenticationToken, "Request is missing Authentication Token"}
	}
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return c, &Error{CodeIncompleteSignature, "Unsupported authorization type; baton accepts " + algorithm + "."}
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			if !c.parseScope(val) {
				return c, &Error{CodeIncompleteSignature, "Credential must have the form <key>/<date>/<region>/<service>/aws4_request."}
			}
		case "SignedHeaders":
			c.signedHeaders = splitSignedHeaders(val)
		case "Signature":
			c.signature = val
		}
	}
	if c.accessKey == "" || len(c.signedHeaders) == 0 || c.signature == "" {
		return c, &Error{CodeIncompleteSignature, "Authorization header requires Credential, SignedHeaders and Signature."}
	}
	return c, c.check()
}

// parseScope sets the access key and credential scope from a Credential
// value, <key>/<date>/<region>/<service>/aws4_request, and reports whether it
// has that form. The scope is kept as it was sent, a substring of v.
func (c *credential) parseScope(v string) bool {
	key, scope, ok := strings.Cut(v, "/")
	if !ok {
		return false
	}
	date, rest, _ := strings.Cut(scope, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	if term != "aws4_request" {
		return false
	}
	c.accessKey, c.date, c.region, c.service, c.scopeText = key, date, region, service, scope
	return true
}

// splitSignedHeaders splits a SignedHeaders value at its semicolons into
// one slice sized for it.
func splitSignedHeaders(v string) []string {
	out := make([]string, 0, strings.Count(v, ";")+1)
	for {
		h, rest, more := strings.Cut(v, ";")
		out = append(out, h)
		if !more {
			return out
		}
		v = rest
	}
}

// check refuses what no correct signer produces.
func (c credential) check() error {
	switch {
	case len(c.accessKey) > maxAccessKeyLen || !isToken(c.accessKey, false):
		return &Error{CodeIncompleteSignature, "The access key in the credential scope is malformed."}
	case len(c.date) != 8 || strings.Trim(c.date, "0123456789") != "":
		return &Error{CodeIncompleteSignature, "The date in the credential scope must be yyyymmdd."}
	case c.region == "" || len(c.region) > maxRegionLen || !isToken(c.region, true):
		return &Error{CodeSignatureDoesNotMatch, "Credential should be scoped to a valid region. "}
	case c.service == "" || !isToken(c.service, true):
		return &Error{CodeIncompleteSignature, "The service in the credential scope is malformed."}
	case len(c.signature) != signatureHexLength || strings.Trim(c.signature, "0123456789abcdef") != "":
		return &Error{CodeIncompleteSignature, "The signature must be 64 lowercase hexadecimal digits."}
	case len(c.signedHeaders) > maxSignedHeaders || !slices.IsSorted(c.signedHeaders):
		return &Error{CodeIncompleteSignature, "SignedHeaders must be a sorted list of lowercase header names."}
	case !slices.Contains(c.signedHeaders, "host"):
		return &Error{CodeIncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	for _, h := range c.signedHeaders {
		if h == "" || h != strings.ToLower(h) || !isToken(h, true) {
			return &Error{CodeIncompleteSignature, "SignedHeaders must be a sorted list of lowercase header names."}
		}
	}
	return nil
}

// isToken reports whether s holds only letters, digits and, with hyphens,
// '-' (and '.' and '_', which header names may contain).
func isToken(s string, hyphens bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case hyphens && (c == '-' || c == '.' || c == '_'):
		default:
			return false
		}
	}
	return true
}
