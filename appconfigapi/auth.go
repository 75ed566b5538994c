package appconfigapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/batonhq/baton/awsauth"
)

// WriteAuthError returns the error writer for the SigV4 middleware in front
// of the AppConfig faces: authentication failures are 403 with the AWS code
// (InvalidSignatureException, InvalidClientTokenId, …) in X-Amzn-ErrorType
// and {"Message"}, oversized bodies are 413 PayloadTooLargeException.
func WriteAuthError(log *slog.Logger) func(w http.ResponseWriter, r *http.Request, err error) {
	a := &API{Log: log}
	return func(w http.ResponseWriter, r *http.Request, err error) {
		var ae *awsauth.Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &ae):
			w.Header().Set("X-Amzn-ErrorType", ae.Code)
			writeJSON(w, http.StatusForbidden, map[string]any{"Message": ae.Message})
		case errors.As(err, &mbe):
			a.writeError(w, r, err)
		default:
			a.writeError(w, r, fmt.Errorf("authenticate: %w", err))
		}
	}
}
