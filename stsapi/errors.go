package stsapi

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
)

// Error is an STS error whose Message is safe to show.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// authStatus maps authentication error codes to their HTTP status.
var authStatus = map[string]int{
	"MissingAuthenticationToken": http.StatusForbidden,
	"InvalidClientTokenId":       http.StatusForbidden,
	"SignatureDoesNotMatch":      http.StatusForbidden,
	"IncompleteSignature":        http.StatusBadRequest,
}

// authError converts an authentication failure into an *Error.
func authError(err error) error {
	type coded interface{ ErrorCode() string }
	var ce coded
	if errors.As(err, &ce) {
		status, ok := authStatus[ce.ErrorCode()]
		if !ok {
			status = http.StatusForbidden
		}
		return &Error{Code: ce.ErrorCode(), Message: err.Error(), Status: status}
	}
	return err
}

// writeError writes err in the protocol of the request; errors that are not
// an *Error are logged and shown as an internal error.
func (a *API) writeError(w http.ResponseWriter, req *request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		a.Log.Error("sts request failed", "err", err)
		e = &Error{Code: "InternalFailure", Message: "internal error", Status: http.StatusInternalServerError}
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("x-amzn-RequestId", req.requestID)
	if req.json {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-query-error", e.Code+";"+fault)
		w.WriteHeader(e.Status)
		b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
		w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	doc := struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
		RequestID string `xml:"RequestId"`
	}{Xmlns: xmlns, RequestID: req.requestID}
	doc.Error.Type, doc.Error.Code, doc.Error.Message = fault, e.Code, e.Message
	if err := xml.NewEncoder(w).Encode(doc); err != nil {
		a.Log.Debug("write sts error", "err", err)
	}
}
