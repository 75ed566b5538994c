package webhook

import (
	"fmt"
	"net/url"
	"strings"
)

// checkURL refuses, at upload, a request URL that cannot be HTTP: it must
// start with http:// or https://, unless the whole URL (scheme included)
// comes from a template, which is checked when the request is sent.
func checkURL(raw string) error {
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "{{") {
		return nil
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return fmt.Errorf("url %q: only http:// and https:// URLs are allowed", raw)
	}
	if strings.Contains(s, "{{") {
		return nil // the host or path is templated
	}
	if u, err := url.Parse(s); err != nil || u.Host == "" {
		return fmt.Errorf("url %q is not a valid http:// or https:// URL", raw)
	}
	return nil
}

// checkHeaders refuses headers that HTTP cannot carry (names that are not
// tokens, values with CR, LF or other control characters). Rendered from
// templates, such a header can never be sent, so the failure is permanent.
// The value is not shown: it may hold a secret.
func checkHeaders(hs []Header) error {
	for _, h := range hs {
		if !validHeaderName(h.Key) {
			return fmt.Errorf("header name %q is not a valid HTTP header name", h.Key)
		}
		if !validHeaderValue(h.Value) {
			return fmt.Errorf("header %s: its value contains CR, LF or another control character, which HTTP forbids", h.Key)
		}
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
