// Package sqsapi serves baton's SQS-compatible face: both wire protocols that
// SQS clients speak, on POST / (and on POST to a queue URL):
//
//   - AWS JSON 1.0: X-Amz-Target: AmazonSQS.<Op>, a JSON body, errors as
//     {"__type","message"} with the x-amzn-query-error header (current SDKs,
//     AWS CLI v1 ≥ 1.34.90 and v2 ≥ 2.15.41);
//   - the query protocol: a form-encoded body with Action=<Op>, XML
//     responses and <ErrorResponse> errors (older CLIs such as Debian's
//     awscli 2.9).
//
// Both decode into the same input structs and call package sqs; one adapter
// writes results and errors in the protocol of the request.
package sqsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/batonhq/baton/sqs"
)

const xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"

// Authenticator verifies the signature of an AWS request. body is the whole
// request body (the signature covers its hash). It returns the caller's
// access key id, or an error whose code names the AWS authentication error.
type Authenticator interface {
	Verify(r *http.Request, body []byte) (accessKey string, err error)
}

// API is the SQS face.
type API struct {
	Queues *sqs.Service
	Auth   Authenticator
	Log    *slog.Logger
	// MaxBody caps request bodies (bytes).
	MaxBody int64
}

// call is one decoded request.
type call struct {
	ctx       context.Context
	json      bool
	op        string
	requestID string
	scheme    string
	host      string
	// pathAccount and pathQueue come from a POST to a queue URL.
	pathAccount, pathQueue string
	body                   []byte
	form                   url.Values
	accessKey              string
}

// opFunc runs one operation and returns its output (nil for no output).
type opFunc func(a *API, c *call) (any, error)

// ops maps operation names to their implementation.
var ops = map[string]opFunc{
	"CreateQueue":                  (*API).createQueue,
	"GetQueueUrl":                  (*API).getQueueURL,
	"ListQueues":                   (*API).listQueues,
	"DeleteQueue":                  (*API).deleteQueue,
	"GetQueueAttributes":           (*API).getQueueAttributes,
	"SetQueueAttributes":           (*API).setQueueAttributes,
	"PurgeQueue":                   (*API).purgeQueue,
	"TagQueue":                     (*API).tagQueue,
	"UntagQueue":                   (*API).untagQueue,
	"ListQueueTags":                (*API).listQueueTags,
	"ListDeadLetterSourceQueues":   (*API).listDeadLetterSourceQueues,
	"SendMessage":                  (*API).sendMessage,
	"SendMessageBatch":             (*API).sendMessageBatch,
	"ReceiveMessage":               (*API).receiveMessage,
	"DeleteMessage":                (*API).deleteMessage,
	"DeleteMessageBatch":           (*API).deleteMessageBatch,
	"ChangeMessageVisibility":      (*API).changeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*API).changeMessageVisibilityBatch,
	"AddPermission":                (*API).addPermission,
	"RemovePermission":             (*API).removePermission,
}

// IsQueueURLRequest reports whether r is an SQS request posted to a queue
// URL, /<12-digit account>/<queue name>. The server mounts the API on POST /
// (shared with STS) and hands such requests over from its catch-all: a
// "POST /{account}/{queue}" pattern would conflict with other faces' routes.
func IsQueueURLRequest(r *http.Request) bool {
	if r.Method != http.MethodPost || !IsSQSRequest(r) {
		return false
	}
	account, name := splitQueuePath(r.URL.Path)
	return name != "" && account != ""
}

// splitQueuePath returns the account and queue name of a queue URL path.
func splitQueuePath(p string) (account, name string) {
	account, name, ok := strings.Cut(strings.Trim(p, "/"), "/")
	if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" || name == "" || strings.Contains(name, "/") {
		return "", ""
	}
	return account, name
}

// IsSQSRequest reports whether r looks like an SQS request of either protocol.
func IsSQSRequest(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// ServeHTTP decodes an SQS request of either protocol, authenticates it, runs
// the operation and writes the result in the same protocol.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{ctx: r.Context(), requestID: uuid.NewString(), scheme: "http", host: r.Host}
	c.pathAccount, c.pathQueue = splitQueuePath(r.URL.Path)
	if r.TLS != nil {
		c.scheme = "https"
	}
	if err := a.decode(w, r, c); err != nil {
		a.writeError(w, r, c, err)
		return
	}
	op, ok := ops[c.op]
	if !ok {
		a.writeError(w, r, c, sqs.Errorf(sqs.CodeInvalidAction, "The action %s is not valid for this endpoint.", c.op))
		return
	}
	out, err := op(a, c)
	if err != nil {
		a.writeError(w, r, c, err)
		return
	}
	a.writeResult(w, c, out)
}

// decode reads the body, detects the protocol and the operation, and
// authenticates the request.
func (a *API) decode(w http.ResponseWriter, r *http.Request, c *call) error {
	target := r.Header.Get("X-Amz-Target")
	c.json = strings.HasPrefix(target, "AmazonSQS.") || strings.Contains(r.Header.Get("Content-Type"), "x-amz-json")
	var err error
	if c.body, err = a.readBody(w, r); err != nil {
		return err
	}
	if c.json {
		c.op = strings.TrimPrefix(target, "AmazonSQS.")
	} else {
		if c.form, err = url.ParseQuery(string(c.body)); err != nil {
			return sqs.Errorf(sqs.CodeInvalidParameterValue, "The request body is not a valid form: %v", err)
		}
		c.op = c.form.Get("Action")
		if c.op == "" {
			return sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameter Action.")
		}
	}
	if a.Auth != nil {
		if c.accessKey, err = a.Auth.Verify(r, c.body); err != nil {
			return authError(err)
		}
	}
	return nil
}

// readBody returns the request body, at most MaxBody bytes: the bytes the
// SigV4 middleware already read, when it ran, rather than a copy.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if read, ok := r.Body.(interface{ Bytes() []byte }); ok {
		b := read.Bytes()
		if a.MaxBody > 0 && int64(len(b)) > a.MaxBody {
			return nil, &http.MaxBytesError{Limit: a.MaxBody}
		}
		return b, nil
	}
	body := r.Body
	if a.MaxBody > 0 {
		body = http.MaxBytesReader(w, r.Body, a.MaxBody)
	}
	return io.ReadAll(body)
}

// input decodes the request parameters into v, a struct with the JSON member
// names of the operation's input.
func (c *call) input(v any) error {
	data := c.body
	if !c.json {
		tree, err := formToJSON(c.op, c.form)
		if err != nil {
			return err
		}
		if data, err = json.Marshal(tree); err != nil {
			return err
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return sqs.Errorf(sqs.CodeInvalidParameterValue, "The request could not be decoded: %v", err)
	}
	return nil
}

// writeResult writes an operation's output.
func (a *API) writeResult(w http.ResponseWriter, c *call, out any) {
	// Canonical keys assigned directly: Set would canonicalize them again.
	h := w.Header()
	if c.json {
		// One backing array for both values: one allocation, not two.
		v := []string{c.requestID, "application/x-amz-json-1.0"}
		h["X-Amzn-Requestid"], h["Content-Type"] = v[0:1:1], v[1:2:2]
		if o, ok := out.(jsonAppender); ok {
			w.Write(o.appendJSON(make([]byte, 0, jsonSize(o))))
			return
		}
		if out == nil {
			out = struct{}{}
		}
		writeJSONBody(w, out)
		return
	}
	h["X-Amzn-Requestid"] = []string{c.requestID}
	h["Content-Type"] = []string{"text/xml"}
	if err := writeXML(w, c.op, c.requestID, out); err != nil {
		a.Log.Debug("write sqs response", "err", err)
	}
}

func writeJSONBody(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"__type":"com.amazonaws.sqs#InternalError","message":"internal error"}`)
	}
	w.Write(b)
}

// authError converts an authentication failure into the domain error type.
func authError(err error) error {
	type coded interface{ ErrorCode() string }
	if ce, ok := err.(coded); ok {
		return &sqs.Error{Code: ce.ErrorCode(), Message: err.Error()}
	}
	return err
}
