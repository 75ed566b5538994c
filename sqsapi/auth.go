package sqsapi

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// WriteAuthError writes a failure of the SigV4 middleware in front of the
// face (an authentication error, a body over the cap) in the protocol of r.
func (a *API) WriteAuthError(w http.ResponseWriter, r *http.Request, err error) {
	c := &call{ctx: r.Context(), requestID: uuid.NewString(),
		json: strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") || strings.Contains(r.Header.Get("Content-Type"), "x-amz-json")}
	a.writeError(w, r, c, authError(err))
}
