package sqsapi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/batonhq/baton/health"
	"github.com/batonhq/baton/sqs"
)

// wireError is how one domain error code goes on the wire: the query
// protocol's error code, the HTTP status and whether the sender is at fault.
type wireError struct {
	queryCode string
	status    int
}

const awsQueuePrefix = "AWS.SimpleQueueService."

// errorTable maps codes to the query-protocol codes and statuses of the last
// query model of SQS (see the reference, §4.3). Codes not listed are 400 with
// the code itself as query code.
var errorTable = map[string]wireError{
	sqs.CodeQueueDoesNotExist:          {awsQueuePrefix + "NonExistentQueue", http.StatusBadRequest},
	sqs.CodeQueueNameExists:            {"QueueAlreadyExists", http.StatusBadRequest},
	sqs.CodePurgeQueueInProgress:       {awsQueuePrefix + "PurgeQueueInProgress", http.StatusForbidden},
	sqs.CodeOverLimit:                  {"OverLimit", http.StatusForbidden},
	sqs.CodeMessageNotInflight:         {awsQueuePrefix + "MessageNotInflight", http.StatusBadRequest},
	sqs.CodeBatchEntryIdsNotDistinct:   {awsQueuePrefix + "BatchEntryIdsNotDistinct", http.StatusBadRequest},
	sqs.CodeBatchRequestTooLong:        {awsQueuePrefix + "BatchRequestTooLong", http.StatusBadRequest},
	sqs.CodeEmptyBatchRequest:          {awsQueuePrefix + "EmptyBatchRequest", http.StatusBadRequest},
	sqs.CodeInvalidBatchEntryID:        {awsQueuePrefix + "InvalidBatchEntryId", http.StatusBadRequest},
	sqs.CodeTooManyEntriesInBatch:      {awsQueuePrefix + "TooManyEntriesInBatchRequest", http.StatusBadRequest},
	sqs.CodeUnsupportedOperation:       {awsQueuePrefix + "UnsupportedOperation", http.StatusBadRequest},
	sqs.CodeResourceNotFound:           {"ResourceNotFoundException", http.StatusNotFound},
	sqs.CodeInvalidAddress:             {"InvalidAddress", http.StatusNotFound},
	sqs.CodeAccessDenied:               {"AccessDenied", http.StatusForbidden},
	sqs.CodeInvalidClientTokenID:       {"InvalidClientTokenId", http.StatusForbidden},
	sqs.CodeSignatureDoesNotMatch:      {"SignatureDoesNotMatch", http.StatusForbidden},
	sqs.CodeMissingAuthenticationToken: {"MissingAuthenticationToken", http.StatusForbidden},
	sqs.CodeIncompleteSignature:        {"IncompleteSignature", http.StatusBadRequest},
	sqs.CodeRequestExpired:             {"RequestExpired", http.StatusBadRequest},
	sqs.CodeInternal:                   {"InternalError", http.StatusInternalServerError},
	codeServiceUnavailable:             {codeServiceUnavailable, http.StatusServiceUnavailable},
}

// codeServiceUnavailable answers a full disk or a damaged store: a 503 that
// SDKs back off from and retry.
const codeServiceUnavailable = "ServiceUnavailable"

// jsonTypes names the JSON protocol's __type shape where it differs from the
// domain code: SQS answers the generic query errors with these shapes
// (AWS responses recorded in §"Errors" of docs/sqs.md).
var jsonTypes = map[string]string{
	sqs.CodeInvalidParameterValue: "InvalidParameterValueException",
	sqs.CodeMissingParameter:      "MissingRequiredParameterException",
}

// queryMessages holds the messages the query protocol words differently.
var queryMessages = map[string]string{
	sqs.CodeQueueDoesNotExist: "The specified queue does not exist for this wsdl version.",
}

func lookupError(code string) wireError {
	if we, ok := errorTable[code]; ok {
		return we
	}
	return wireError{queryCode: code, status: http.StatusBadRequest}
}

// toDomain turns any error into an *sqs.Error whose message is safe to show;
// other errors become InternalError and are logged in full.
func (a *API) toDomain(r *http.Request, err error) *sqs.Error {
	var e *sqs.Error
	var mbe *http.MaxBytesError
	if msg, ok := health.Unavailable(err); ok {
		a.Log.Error("sqs request failed", "path", r.URL.Path, "err", err)
		return &sqs.Error{Code: codeServiceUnavailable, Message: msg}
	}
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &mbe):
		return sqs.Errorf(sqs.CodeInvalidParameterValue, "The request body is larger than %d bytes.", mbe.Limit)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this reply.
		return sqs.Errorf(sqs.CodeInternal, "The request was canceled.")
	}
	a.Log.Error("sqs request failed", "path", r.URL.Path, "target", r.Header.Get("X-Amz-Target"), "err", err)
	return sqs.Errorf(sqs.CodeInternal, "We encountered an internal error. Please try again.")
}

// writeError writes err in the protocol of the request.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	e := a.toDomain(r, err)
	we := lookupError(e.Code)
	fault := "Sender"
	if we.status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("x-amzn-RequestId", c.requestID)
	if c.json {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-query-error", we.queryCode+";"+fault)
		w.WriteHeader(we.status)
		shape := e.Code
		if t, ok := jsonTypes[e.Code]; ok {
			shape = t
		}
		writeJSONBody(w, map[string]string{"__type": "com.amazonaws.sqs#" + shape, "message": e.Message})
		return
	}
	msg := e.Message
	if m, ok := queryMessages[e.Code]; ok {
		msg = m
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(we.status)
	type xmlError struct {
		Type    string   `xml:"Type"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
		Detail  struct{} `xml:"Detail"`
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     xmlError `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: xmlns, Error: xmlError{Type: fault, Code: we.queryCode, Message: msg}, RequestID: c.requestID}
	if err := xml.NewEncoder(w).Encode(doc); err != nil {
		a.Log.Debug("write sqs error", "err", fmt.Sprint(err))
	}
}

// batchError is a BatchResultErrorEntry.
type batchError struct {
	ID          string `json:"Id" xml:"Id"`
	SenderFault bool   `json:"SenderFault" xml:"SenderFault"`
	Code        string `json:"Code" xml:"Code"`
	Message     string `json:"Message" xml:"Message"`
}

func newBatchError(id string, err error) batchError {
	code, msg := sqs.CodeInternal, "internal error"
	var e *sqs.Error
	if errors.As(err, &e) {
		code, msg = e.Code, e.Message
	}
	return batchError{ID: id, SenderFault: code != sqs.CodeInternal, Code: code, Message: msg}
}
