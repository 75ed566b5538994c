// Package stsapi serves the one AWS STS operation local tools need,
// GetCallerIdentity, on baton's AWS endpoint, so that the usual "is my setup
// right?" check, aws sts get-caller-identity --endpoint-url …, works.
//
// STS shares POST / with the SQS face. A request is STS's when its
// X-Amz-Target names the STS service (JSON protocol) or its SigV4 credential
// scope names the service sts (the query protocol, which STS's model
// defines: a form body with Action=GetCallerIdentity, an XML answer).
package stsapi

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// targetPrefix is the JSON protocol's X-Amz-Target prefix: the name of the
// service shape in STS's Smithy model.
const targetPrefix = "AWSSecurityTokenServiceV20110615."

// xmlns is the namespace of STS query responses (botocore's model).
const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// Authenticator verifies the signature of an AWS request and returns the
// caller's access key id, or an error with an ErrorCode method naming the AWS
// authentication error.
type Authenticator interface {
	Verify(r *http.Request, body []byte) (accessKey string, err error)
}

// API is the STS face.
type API struct {
	// Account is the account every caller belongs to (--aws-account).
	Account string
	Auth    Authenticator
	Log     *slog.Logger
	// MaxBody caps request bodies (bytes).
	MaxBody int64
}

// Identity is GetCallerIdentity's answer.
type Identity struct {
	UserID  string `json:"UserId" xml:"UserId"`
	Account string `json:"Account" xml:"Account"`
	Arn     string `json:"Arn" xml:"Arn"`
}

// IsSTSRequest reports whether r is addressed to STS rather than SQS.
func IsSTSRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) || scopeService(r.Header.Get("Authorization")) == "sts"
}

// scopeService returns the service named by the credential scope of a SigV4
// Authorization header ("" if there is none).
func scopeService(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	f := strings.Split(strings.TrimSpace(cred), "/")
	if len(f) != 5 {
		return ""
	}
	return f[3]
}

// request is one decoded STS request.
type request struct {
	json      bool
	op        string
	requestID string
}

// ServeHTTP authenticates an STS request and answers it in its protocol.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{requestID: uuid.NewString(), json: strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)}
	id, err := a.serve(w, r, req)
	if err != nil {
		a.writeError(w, req, err)
		return
	}
	a.writeResult(w, req, id)
}

func (a *API) serve(w http.ResponseWriter, r *http.Request, req *request) (*Identity, error) {
	body := r.Body
	if a.MaxBody > 0 {
		body = http.MaxBytesReader(w, r.Body, a.MaxBody)
	}
	b, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &Error{Code: "InvalidParameterValue", Message: "The request body is too large.", Status: http.StatusBadRequest}
	}
	if err != nil {
		return nil, err
	}
	accessKey := "anonymous"
	if a.Auth != nil {
		if accessKey, err = a.Auth.Verify(r, b); err != nil {
			return nil, authError(err)
		}
	}
	if req.op, err = operation(r, req.json, b); err != nil {
		return nil, err
	}
	if req.op != "GetCallerIdentity" {
		return nil, &Error{Code: "InvalidAction", Message: "Could not find operation " + req.op + " for version 2011-06-15; baton serves GetCallerIdentity only.", Status: http.StatusBadRequest}
	}
	return &Identity{UserID: accessKey, Account: a.Account, Arn: "arn:aws:iam::" + a.Account + ":user/" + accessKey}, nil
}

// operation returns the operation a request names.
func operation(r *http.Request, isJSON bool, body []byte) (string, error) {
	if isJSON {
		return strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix), nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return "", &Error{Code: "InvalidAction", Message: "An STS query request is a form: Content-Type application/x-www-form-urlencoded.", Status: http.StatusBadRequest}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", &Error{Code: "MalformedInput", Message: "The request body is not a valid form.", Status: http.StatusBadRequest}
	}
	op := form.Get("Action")
	if op == "" {
		return "", &Error{Code: "MissingAction", Message: "Missing Action", Status: http.StatusBadRequest}
	}
	return op, nil
}

func (a *API) writeResult(w http.ResponseWriter, req *request, id *Identity) {
	w.Header().Set("x-amzn-RequestId", req.requestID)
	if req.json {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		b, _ := json.Marshal(id)
		w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	doc := struct {
		XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Result    Identity `xml:"GetCallerIdentityResult"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{Xmlns: xmlns, Result: *id, RequestID: req.requestID}
	if err := xml.NewEncoder(w).Encode(doc); err != nil {
		a.Log.Debug("write sts response", "err", err)
	}
}
