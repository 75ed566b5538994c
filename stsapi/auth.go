package stsapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// WriteAuthError writes a failure of the SigV4 middleware in front of the
// endpoint (an authentication error, a body over the cap) in the protocol of
// r.
func (a *API) WriteAuthError(w http.ResponseWriter, r *http.Request, err error) {
	req := &request{requestID: uuid.NewString(), json: strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = &Error{Code: "InvalidParameterValue", Message: "The request body is too large.", Status: http.StatusBadRequest}
	}
	a.writeError(w, req, authError(err))
}
