package appconfigapi

import (
	"net/http"
	"strings"
)

// AcceptSigV4 is the interim AWS authenticator: it admits any request that
// carries a well-formed SigV4 Authorization header (algorithm, Credential
// scope, SignedHeaders, Signature) without checking the signature. The
// server replaces it with awsauth's verifier.
func AcceptSigV4(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wellFormedSigV4(r.Header.Get("Authorization")) {
			w.Header().Set("X-Amzn-ErrorType", "UnrecognizedClientException")
			writeJSON(w, http.StatusForbidden, map[string]string{
				"Message": "missing or malformed AWS Signature Version 4 Authorization header"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func wellFormedSigV4(h string) bool {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return false
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return false
		}
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	return len(scope) == 5 && scope[4] == "aws4_request" && fields["SignedHeaders"] != "" && fields["Signature"] != ""
}
